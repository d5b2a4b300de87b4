// The resource side: a request carrying `Authorization: DPoP <token>` is checked for a valid access token,
// a fresh proof signed by the key the token is bound to (cnf.jkt), and a live session.
import type { OAuthContext } from './context.ts'
import { invalidDpopProof } from './dpop.ts'
import { OAuthError } from './errors.ts'
import { readAccessToken } from './access-token.ts'
import { ScopePermissions } from './scopes.ts'

export type OAuthAccess = {
  did: string
  /** The granted OAuth scope string (space separated). */
  scope: string
  permissions: ScopePermissions
  clientId: string
  tokenId: string
}

/** A call to a protected resource, as the edge read it from the HTTP request. */
export type OAuthAccessCall = {
  /** The credentials of `Authorization: DPoP <token>`; undefined when the header holds none. */
  accessToken: string | undefined
  /** The DPoP header, null when the request had none. */
  dpop: string | null
  method: string
  url: string
}

const invalidToken = (description: string) => new OAuthError('invalid_token', description)

/** The public URL a request was addressed to: the proof's htu names the public origin, not our socket. */
export function publicRequestUrl(ctx: OAuthContext, url: string): string[] {
  const u = new URL(url)
  // Dev mode also accepts the address the client really used (tests reach the server on 127.0.0.1).
  return ctx.devMode ? [`${ctx.issuer}${u.pathname}`, `${u.origin}${u.pathname}`] : [`${ctx.issuer}${u.pathname}`]
}

export async function verifyAccess(ctx: OAuthContext, call: OAuthAccessCall): Promise<OAuthAccess> {
  const token = call.accessToken
  if (token === undefined) throw invalidToken('Expected a DPoP access token')
  const read = await readAccessToken(ctx.accessTokenKey, token, { issuer: ctx.issuer, audience: ctx.serviceDid })
  if (!read.ok) throw invalidToken(read.reason)
  const proof = await ctx.dpop.verify(call.dpop, { method: call.method, htu: publicRequestUrl(ctx, call.url), accessToken: token })
  if (!proof) throw invalidDpopProof('DPoP proof required')
  if (proof.jkt !== read.claims.cnf.jkt) throw invalidDpopProof('DPoP proof signed by another key than the token is bound to')
  // Stateful check: refresh, revocation and account actions end a token before its exp.
  const session = ctx.store.getToken(read.claims.jti)
  if (!session || session.did !== read.claims.sub || session.expiresAt < Date.now()) throw invalidToken('Token has been revoked')
  return {
    did: read.claims.sub,
    scope: read.claims.scope,
    permissions: new ScopePermissions(read.claims.scope),
    clientId: read.claims.client_id,
    tokenId: read.claims.jti,
  }
}
