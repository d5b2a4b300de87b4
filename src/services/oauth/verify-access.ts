// The resource side: a request carrying `Authorization: DPoP <token>` is checked for a valid access token,
// a fresh proof signed by the key the token is bound to (cnf.jkt), and a live session.
import type { OAuthContext } from './context.ts'
import { dpopError } from './dpop.ts'
import { authCredentials } from '../auth/auth-scheme.ts'
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

const invalidToken = (description: string) =>
  new OAuthError('invalid_token', description, 401, {
    'WWW-Authenticate': `DPoP error="invalid_token", error_description="${description}"`,
  })

/** The public URL this request was addressed to: the proof's htu names the public origin, not our socket. */
export function publicRequestUrl(ctx: OAuthContext, req: Request): string[] {
  const u = new URL(req.url)
  // Dev mode also accepts the address the client really used (tests reach the server on 127.0.0.1).
  return ctx.devMode ? [`${ctx.issuer}${u.pathname}`, `${u.origin}${u.pathname}`] : [`${ctx.issuer}${u.pathname}`]
}

export async function verifyAccess(ctx: OAuthContext, req: Request): Promise<OAuthAccess> {
  const token = authCredentials(req.headers.get('authorization'), 'DPoP')
  if (token === undefined) throw invalidToken('Expected a DPoP access token')
  const read = await readAccessToken(ctx.accessTokenKey, token, { issuer: ctx.issuer, audience: ctx.serviceDid })
  if (!read.ok) throw invalidToken(read.reason)
  const proof = await ctx.dpop.verify(req, { htu: publicRequestUrl(ctx, req), context: 'resource', accessToken: token })
  if (!proof) throw dpopError('resource', 'invalid_dpop_proof', 'DPoP proof required', ctx.dpop.nonces.next())
  if (proof.jkt !== read.claims.cnf.jkt) throw dpopError('resource', 'invalid_dpop_proof', 'DPoP proof signed by another key than the token is bound to', ctx.dpop.nonces.next())
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
