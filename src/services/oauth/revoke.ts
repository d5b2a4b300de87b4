// Token revocation (RFC 7009): a refresh or access token ends its whole session. Unknown tokens are not an
// error (the answer must not reveal which tokens exist).
import { authenticatedClient } from './client-auth.ts'
import type { OAuthContext } from './context.ts'
import { invalidRequest } from './errors.ts'
import { readAccessToken } from './access-token.ts'
import { readParams } from './util.ts'

export async function handleRevoke(ctx: OAuthContext, req: Request): Promise<Response> {
  const params = await readParams(req)
  if (!params.token) throw invalidRequest('token is required')
  const { client } = await authenticatedClient(ctx, params)
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
