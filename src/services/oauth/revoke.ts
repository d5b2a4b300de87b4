// Token revocation (RFC 7009): a refresh or access token ends its whole session. Unknown tokens are not an
// error (the answer must not reveal which tokens exist).
import { authenticatedClient } from './client-auth.ts'
import type { OAuthContext } from './context.ts'
import { invalidRequest } from './errors.ts'
import { readAccessToken } from './access-token.ts'

/** Revokes `params.token` (the form the edge read) when it belongs to the authenticated client. */
export async function handleRevoke(ctx: OAuthContext, params: Record<string, string>): Promise<void> {
  if (!params.token) throw invalidRequest('token is required')
  const { client } = await authenticatedClient(ctx, params)
  const session = await findSession(ctx, params.token)
  if (session && session.clientId === client.id) ctx.store.deleteToken(session.id)
}

async function findSession(ctx: OAuthContext, token: string) {
  const byRefresh = ctx.store.findTokenByRefresh(token)
  if (byRefresh) return byRefresh
  const read = await readAccessToken(ctx.accessTokenKey, token, { issuer: ctx.issuer, audience: ctx.serviceDid })
  return read.ok ? ctx.store.getToken(read.claims.jti) : null
}
