// did:web accounts. Hosted: `did:web:<handle>` for a handle under our domains, its document served by us
// at https://<handle>/.well-known/did.json (by Host header) and built from the account's current state, so
// a handle change or a new signing key is in it at once. A did:web is bound to its domain for good: it can
// never move to another server's domain (the person's warning in the sign-up view and the README).
// Bring-your-own did:web (a domain the person runs): created through migration as the reference does
// (service auth from the DID, deactivated until its document names us); `publishableDidWebDocument` is
// the exact document to publish for it.
import { PDS_SERVICE_ID, PDS_SERVICE_TYPE } from '../../core/did-doc.ts'
import { formatDidDoc } from '../identity/plc-ops.ts'
import type { AccountsContext } from './context.ts'

/** The host of a did:web (percent-decoded), or null for another method or a did:web with a path. */
export function didWebHost(did: string): string | null {
  if (!did.startsWith('did:web:')) return null
  const rest = did.slice('did:web:'.length)
  if (!rest || rest.includes(':')) return null // did:web paths are not used by atproto
  return decodeURIComponent(rest).toLowerCase()
}

/** A did:web this server hosts: its host is a name under one of our handle domains. */
export function isHostedDidWeb(did: string, domains: string[]): boolean {
  const host = didWebHost(did)
  return !!host && !host.includes(':') && domains.some((d) => host.endsWith(d.toLowerCase()) && host.length > d.length)
}

export const hostedDidWebFor = (host: string) => `did:web:${host.toLowerCase()}`

/** The document as it stands now: this account's handle, signing key and our endpoint. */
export function publishableDidWebDocument(ctx: AccountsContext, did: string) {
  const account = ctx.manager.getAccount(did, { includeDeactivated: true })
  if (!account) return null
  // What getRecommendedDidCredentials names (plc-flows.ts), without rotation keys: a did:web has none.
  return formatDidDoc({
    did,
    alsoKnownAs: account.handle ? [`at://${account.handle}`] : [],
    verificationMethods: { atproto: ctx.repo().signingKey(did).did() },
    services: { [PDS_SERVICE_ID]: { type: PDS_SERVICE_TYPE, endpoint: ctx.config.service.publicUrl } },
    rotationKeys: [],
  })
}

/** The document of a hosted did:web for the host a request came in on, or null (unknown or not hosted here). */
export function hostedDidWebDocument(ctx: AccountsContext, host: string) {
  const did = hostedDidWebFor(host)
  if (!isHostedDidWeb(did, ctx.config.identity.serviceHandleDomains)) return null
  // Taken down: not served (as a taken-down account's repo is not).
  const account = ctx.manager.getAccount(did, { includeDeactivated: true })
  return account ? publishableDidWebDocument(ctx, did) : null
}
