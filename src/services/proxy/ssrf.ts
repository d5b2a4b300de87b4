// Endpoints taken from DID documents are chosen by strangers: outside dev mode, only public https hosts,
// and the request then goes to the very address that was checked (src/services/net/guarded-fetch.ts).
// (Configured services — AppView, report, mod — are the operator's choice and are not checked.)
import { invalidInput } from '../errors.ts'
import { BlockedDestinationError, pinUrl, systemLookup, type HostLookup } from '../net/guarded-fetch.ts'

export { isPrivateAddress, type HostLookup } from '../net/guarded-fetch.ts'

/** Throws unless `endpoint` is https and every address its host resolves to is public; returns the address to connect to. */
export async function assertPublicEndpoint(endpoint: string, resolveHost: HostLookup = systemLookup): Promise<string> {
  const url = new URL(endpoint)
  if (url.protocol !== 'https:') throw invalidInput('proxy service endpoint must use https')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.localhost')) throw invalidInput('proxy service endpoint is not a public address')
  try {
    return (await pinUrl(url, { httpsOnly: true, lookup: resolveHost })).address
  } catch (err) {
    if (err instanceof BlockedDestinationError && err.reason === 'unresolvable') throw invalidInput('could not resolve proxy service host')
    if (err instanceof BlockedDestinationError) throw invalidInput('proxy service endpoint is not a public address')
    throw err
  }
}
