// The OAuth HTTP surface as an Elysia plugin: discovery, PAR, authorize pages, token, revoke, jwks.
// Every route is rate limited; JSON endpoints answer RFC 6749 errors and always carry a fresh DPoP-Nonce.
import type { Plugin } from '../../app.ts'
import { clientIp } from '../../client-ip.ts'
import { XRPCError } from '../../errors.ts'
import type { RateLimiter, RateLimitRule } from '../../rate-limit.ts'
import { AUTHORIZE_PATH, handleAccept, handleAuthorizePage, handlePasskeyOptions, handlePasskeySignIn, handleReject, handleSelect, handleSignIn, type BrowserInfo } from '../../../web/oauth/authorize.ts'
import type { OAuthContext } from '../../../services/oauth/context.ts'
import { CORS_HEADERS } from '../../oauth-cors.ts'
import { MINUTE } from '../../../services/oauth/constants.ts'
import { authorizationServerMetadata, JWKS, protectedResourceMetadata } from '../../../services/oauth/metadata.ts'
import { introspectEndpoint, parEndpoint, revokeEndpoint, tokenEndpoint } from './endpoints.ts'
import { OAuthError, oauthErrorHeaders, oauthErrorStatus } from '../../oauth-errors.ts'

const rule = (name: string, durationMs: number, points: number): RateLimitRule => ({ name, durationMs, points })
export const OAUTH_RATE_LIMITS = {
  metadata: [rule('oauth-metadata', 5 * MINUTE, 3000)],
  par: [rule('oauth-par', 5 * MINUTE, 300)],
  authorize: [rule('oauth-authorize', 5 * MINUTE, 300)],
  // Password guessing: the reference allows 30 sign-ins per 5 minutes and 300 per day per IP.
  signIn: [rule('oauth-sign-in', 5 * MINUTE, 30), rule('oauth-sign-in-day', 24 * 60 * MINUTE, 300)],
  token: [rule('oauth-token', 5 * MINUTE, 300)],
  revoke: [rule('oauth-revoke', 5 * MINUTE, 300)],
  introspect: [rule('oauth-introspect', 5 * MINUTE, 3000)],
}

type RouteDeps = { ctx: OAuthContext; rateLimiter: RateLimiter; trustedProxies: string[] }
type Server = Parameters<typeof clientIp>[1]

function limit(deps: RouteDeps, rules: RateLimitRule[], req: Request, ip: string): Record<string, string> {
  if (!deps.rateLimiter.enabled || deps.rateLimiter.isBypassed(req, ip)) return {}
  return deps.rateLimiter.consume(rules, { ip, auth: { type: 'none' } })
}

function oauthErrorResponse(err: OAuthError, extra: Record<string, string>): Response {
  const headers = { ...CORS_HEADERS, 'Cache-Control': 'no-store', ...oauthErrorHeaders(err, 'authorization-server'), ...extra }
  return Response.json(err.toJSON(), { status: oauthErrorStatus(err, 'authorization-server'), headers })
}

/** JSON endpoints: errors as RFC 6749 JSON, CORS and the current DPoP nonce on every answer. */
async function json(deps: RouteDeps, rules: RateLimitRule[], req: Request, ip: string, run: () => Promise<Response>): Promise<Response> {
  const nonce = { 'DPoP-Nonce': deps.ctx.dpop.nonces.next() }
  try {
    const rate = limit(deps, rules, req, ip)
    deps.ctx.store.sweep()
    const res = await run()
    for (const [k, v] of Object.entries({ ...CORS_HEADERS, ...nonce, ...rate })) res.headers.set(k, v)
    return res
  } catch (err) {
    if (err instanceof OAuthError) return oauthErrorResponse(err, nonce)
    if (err instanceof XRPCError && err.status === 429) {
      return oauthErrorResponse(new OAuthError('temporarily_unavailable', 'Rate limit exceeded'), { ...err.headers, ...nonce })
    }
    deps.ctx.log.error('oauth endpoint failed', { url: req.url, err })
    return oauthErrorResponse(new OAuthError('server_error', 'Internal server error'), nonce)
  }
}

async function page(deps: RouteDeps, rules: RateLimitRule[], req: Request, ip: string, run: (b: BrowserInfo) => Promise<Response>) {
  try {
    limit(deps, rules, req, ip)
  } catch (err) {
    if (err instanceof XRPCError) return new Response('Too many attempts. Try again later.', { status: 429, headers: err.headers })
    throw err
  }
  deps.ctx.store.sweep()
  return run({ ip, userAgent: req.headers.get('user-agent') })
}

export function oauthRoutes(deps: RouteDeps): Plugin {
  const { ctx } = deps
  return (app) => {
    const ipOf = (request: Request, server: Server) => clientIp(request, server, deps.trustedProxies)
    const doc = (body: unknown) => () =>
      Response.json(body, { headers: { ...CORS_HEADERS, 'Cache-Control': 'public, max-age=300' } })
    app
      .get('/.well-known/oauth-protected-resource', ({ request, server }) =>
        json(deps, OAUTH_RATE_LIMITS.metadata, request, ipOf(request, server), async () => doc(protectedResourceMetadata(ctx))()),
      )
      .get('/.well-known/oauth-authorization-server', ({ request, server }) =>
        json(deps, OAUTH_RATE_LIMITS.metadata, request, ipOf(request, server), async () => doc(authorizationServerMetadata(ctx))()),
      )
      .get('/oauth/jwks', ({ request, server }) => json(deps, OAUTH_RATE_LIMITS.metadata, request, ipOf(request, server), async () => doc(JWKS)()))
      .post('/oauth/par', ({ request, server }) => json(deps, OAUTH_RATE_LIMITS.par, request, ipOf(request, server), () => parEndpoint(ctx, request)), {
        parse: 'none',
      })
      .post('/oauth/token', ({ request, server }) => json(deps, OAUTH_RATE_LIMITS.token, request, ipOf(request, server), () => tokenEndpoint(ctx, request)), {
        parse: 'none',
      })
      .post('/oauth/revoke', ({ request, server }) => json(deps, OAUTH_RATE_LIMITS.revoke, request, ipOf(request, server), () => revokeEndpoint(ctx, request)), {
        parse: 'none',
      })
      .post('/oauth/introspect', ({ request, server }) => json(deps, OAUTH_RATE_LIMITS.introspect, request, ipOf(request, server), () => introspectEndpoint(ctx, request)), {
        parse: 'none',
      })
      .get(AUTHORIZE_PATH, ({ request, server }) => page(deps, OAUTH_RATE_LIMITS.authorize, request, ipOf(request, server), (b) => handleAuthorizePage(ctx, request, b)))
    const posts = { 'sign-in': handleSignIn, passkey: handlePasskeySignIn, 'passkey-options': handlePasskeyOptions, select: handleSelect, accept: handleAccept, reject: handleReject } as const
    for (const [path, handler] of Object.entries(posts)) {
      const rules = path === 'sign-in' || path === 'passkey' ? OAUTH_RATE_LIMITS.signIn : OAUTH_RATE_LIMITS.authorize
      app.post(`${AUTHORIZE_PATH}/${path}`, ({ request, server }) => page(deps, rules, request, ipOf(request, server), (b) => handler(ctx, request, b)), {
        parse: 'none',
      })
    }
  }
}
