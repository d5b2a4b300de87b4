// Token introspection (RFC 7662) for resource servers: the client authenticates as at the revocation
// endpoint, and learns about its own tokens only. Anything else (unknown, expired, revoked, another
// client's) is just {"active": false}, so the endpoint reveals nothing about which tokens exist.
import { authenticatedClient } from './client-auth.ts'
import type { OAuthContext } from './context.ts'
import { invalidRequest } from './errors.ts'
import { readAccessToken } from './access-token.ts'

const INACTIVE = { active: false }
const sec = (ms: number) => Math.floor(ms / 1000)

/** What `params.token` (the form the edge read) is, as far as the authenticated client may know. */
export async function handleIntrospect(ctx: OAuthContext, params: Record<string, string>): Promise<Record<string, unknown>> {
  if (!params.token) throw invalidRequest('token is required')
  const { client } = await authenticatedClient(ctx, params)
  const hint = params.token_type_hint
  const body = (hint === 'refresh_token' ? introspectRefresh(ctx, params.token, client.id) ?? (await introspectAccess(ctx, params.token, client.id)) : (await introspectAccess(ctx, params.token, client.id)) ?? introspectRefresh(ctx, params.token, client.id)) ?? INACTIVE
  return body
}

async function introspectAccess(ctx: OAuthContext, token: string, clientId: string) {
  const read = await readAccessToken(ctx.accessTokenKey, token, { issuer: ctx.issuer, audience: ctx.serviceDid })
  if (!read.ok) return null
  const session = ctx.store.getToken(read.claims.jti)
  // A revoked or rotated-away session ends its access tokens, as verify-access does.
  if (!session || session.clientId !== clientId || read.claims.client_id !== clientId) return null
  const c = read.claims
  return { active: true, token_type: 'DPoP', scope: c.scope, client_id: c.client_id, sub: c.sub, aud: c.aud, iss: c.iss, jti: c.jti, iat: c.iat, exp: c.exp, cnf: c.cnf }
}

function introspectRefresh(ctx: OAuthContext, token: string, clientId: string) {
  const session = ctx.store.findTokenByRefresh(token)
  if (!session || session.clientId !== clientId || session.expiresAt <= Date.now()) return null
  return {
    active: true,
    token_type: 'refresh_token',
    scope: session.scope,
    client_id: session.clientId,
    sub: session.did,
    iss: ctx.issuer,
    iat: sec(session.updatedAt),
    exp: sec(session.expiresAt),
    ...(session.dpopJkt ? { cnf: { jkt: session.dpopJkt } } : {}),
  }
}
