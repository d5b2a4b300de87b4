// Which handle a moved account gets here: keep a custom domain when it names the DID, else the same name
// under our first handle domain (issue 21, "keep your handle when moving").
import { MigrationError } from './errors.ts'
import { XrpcClient, XrpcResponseError } from './xrpc-client.ts'

/**
 * The handle on the new PDS: the one asked for; else the old handle when it is the user's own domain
 * (not under one of the old server's user domains); else the same name under our first user domain.
 */
export function chooseHandle(oldHandle: string, oldDomains: string[], newDomains: string[], requested?: string): string {
  if (requested) return requested.toLowerCase()
  const handle = oldHandle.toLowerCase()
  const oldDomain = oldDomains.find((d) => handle.endsWith(d.toLowerCase()))
  if (!oldDomain) return handle
  const ourDomain = newDomains[0]
  if (!ourDomain) throw new MigrationError('the new server offers no handle domain: choose the handle here', 'input', 'newHandle')
  const name = handle.slice(0, handle.length - oldDomain.length)
  return `${name}${ourDomain}`
}

/**
 * A custom-domain handle moves with the account only when its domain already names the DID (DNS TXT
 * `_atproto.<handle>` or `https://<handle>/.well-known/atproto-did`), which createAccount requires; else
 * the same name under our first domain, with a message saying why. Resolved by this server, as it will.
 */
export async function confirmHandle(to: XrpcClient, did: string, handle: string, newDomains: string[]): Promise<{ handle: string; note?: string }> {
  if (newDomains.some((d) => handle.endsWith(d.toLowerCase()))) return { handle }
  const resolved = await to
    .withAuthorization(undefined)
    .query<{ did: string }>('com.atproto.identity.resolveHandle', { handle })
    .then(
      (r) => r.did,
      (err) => {
        if (err instanceof XrpcResponseError && err.status === 400) return null
        throw err
      },
    )
  if (resolved === did) return { handle, note: `keeping ${handle}: its domain names ${did}` }
  const ourDomain = newDomains[0]
  if (!ourDomain) throw new MigrationError(`${handle} does not name ${did} and the new server offers no handle domain: choose the handle here`, 'input', 'newHandle')
  const fallback = `${handle.split('.')[0]}${ourDomain}`
  const why = resolved ? `it names ${resolved}` : `neither the DNS TXT record _atproto.${handle} nor https://${handle}/.well-known/atproto-did names it`
  return { handle: fallback, note: `${handle} cannot be kept (${why}): using ${fallback}; set ${handle} again with updateHandle once the domain names ${did}` }
}

