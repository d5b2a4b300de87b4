// The token-side endpoints over HTTP: each reads the request into plain data for the OAuth service and
// writes the service's answer with the status and cache headers RFC 6749 / RFC 9126 call for.
import type { OAuthContext, OAuthEndpointCall } from '../../../services/oauth/context.ts'
import { handlePar } from '../../../services/oauth/par.ts'
import { handleRevoke } from '../../../services/oauth/revoke.ts'
import { handleIntrospect } from '../../../services/oauth/introspect.ts'
import { handleToken } from '../../../services/oauth/token.ts'
import { readParams } from './read-params.ts'

async function endpointCall(req: Request): Promise<OAuthEndpointCall> {
  return { params: await readParams(req), dpop: req.headers.get('dpop'), method: req.method, url: req.url }
}

/** RFC 9126 §2.2: 201 with the request_uri. */
export async function parEndpoint(ctx: OAuthContext, req: Request): Promise<Response> {
  const result = await handlePar(ctx, await endpointCall(req))
  return Response.json(result, { status: 201, headers: { 'Cache-Control': 'no-store' } })
}

/** RFC 6749 §5.1: tokens are never cached. */
export async function tokenEndpoint(ctx: OAuthContext, req: Request): Promise<Response> {
  const result = await handleToken(ctx, await endpointCall(req))
  return Response.json(result, { headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } })
}

/** RFC 7009 §2.2: 200 with an empty body, whether or not the token was known. */
export async function revokeEndpoint(ctx: OAuthContext, req: Request): Promise<Response> {
  await handleRevoke(ctx, await readParams(req))
  return new Response(null, { status: 200, headers: { 'Cache-Control': 'no-store' } })
}

/** RFC 7662 §2.2: the token's state as JSON, never cached. */
export async function introspectEndpoint(ctx: OAuthContext, req: Request): Promise<Response> {
  return Response.json(await handleIntrospect(ctx, await readParams(req)), { headers: { 'Cache-Control': 'no-store' } })
}
