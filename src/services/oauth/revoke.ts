// Token revocation (RFC 7009): a refresh or access token ends its whole session. Unknown tokens are not an
// error (the answer must not reveal which tokens exist).
import { authenticateClient } from './client-auth.ts'
import type { OAuthContext } from './context.ts'
import { invalidRequest } from './errors.ts'
import { readAccessToken } from './access-token.ts'
import { readParams } from './util.ts'

export async function handleRevoke(ctx: OAuthContext, req: Request): Promise<Response> {
  const params = await readParams(req)
  if (!params.token) throw invalidRequest('token is required')
  if (!params.client_id) throw invalidRequest('client_id is required')
  const client = await ctx.clients.getClient(params.client_id)
  await authenticateClient(client, params, { issuer: ctx.issuer, store: ctx.store })
  const session = await findSession(ctx, params.token)
  if (session && session.clientId === client.id) ctx.store.deleteToken(session.id)
  return new Response(null, { status: 200, headers: { 'Cache-Control': 'no-store' } })
}

async function findSession(ctx: OAuthContext, token: string) {
  const byRefresh = ctx.store.findTokenByRefresh(token)
  if (byRefresh) return byRefresh
  const read = await readAccessToken(ctx.accessTokenKey, token, { issuer: ctx.issuer, audience: ctx.serviceDid })
  return read.ok ? ctx.store.getToken(read.claims.jti) : null
}
