// Mounts the account web app (src/web/account) under /account: each route gets the client's IP (behind
// trusted proxies) and the server's rate limiter, with its windows per IP or per signed-in account.
import type { Plugin } from '../app.ts'
import type { AuthResult } from '../auth.ts'
import { clientIp } from '../client-ip.ts'
import { XRPCError } from '../errors.ts'
import type { RateLimiter, RateLimitRule } from '../rate-limit.ts'
import type { Services } from '../services.ts'
import { lazy } from '../lazy.ts'
import { BASE, type WebLimit } from '../../web/account/context.ts'
import { PageProblem } from '../../web/ui/errors.ts'

const toRule = (l: WebLimit): RateLimitRule => ({
  name: l.name,
  durationMs: l.durationMs,
  points: l.points,
  ...(l.per === 'account' && { calcKey: (call) => ('did' in call.auth ? call.auth.did : null) }),
})

/** The account and admin web apps' rate limits, counted by the server's limiter (a full window: a page saying so). */
export function limiter(rateLimiter: RateLimiter) {
  return (limits: WebLimit[], req: Request, ip: string, did: string | null) => {
    if (!limits.length || !rateLimiter.enabled || rateLimiter.isBypassed(req, ip)) return
    const auth = (did ? { type: 'access', did, scope: 'com.atproto.access' } : { type: 'none' }) as AuthResult
    try {
      rateLimiter.consume(limits.map(toRule), { ip, auth })
    } catch (err) {
      if (err instanceof XRPCError && err.status === 429) throw new PageProblem(429, 'Too many attempts', 'Too many attempts from here. Wait a few minutes and try again.')
      throw err
    }
  }
}

export function accountRoutes(services: Services): Plugin {
  const trusted = services.config.rateLimits.trustedProxies
  // The pages load at the first request under /account (see ../lazy.ts); every route of the app is
  // under BASE (test/web/account/routes.test.ts checks it).
  const routes = lazy(async () => {
    const [{ createAccountApp, ROUTES }, { handleRoute }, { MOD_ROUTES }] = await Promise.all([
      import('../../web/account/app.ts'),
      import('../../web/account/router.ts'),
      import('../../web/mod/routes.ts'), // the moderation console, under /account/mod
    ])
    const app = createAccountApp(services, limiter(services.rateLimiter))
    const byPath = new Map([...ROUTES, ...MOD_ROUTES].map((route) => [`${route.method} ${route.path}`, route]))
    return (request: Request, ip: string) => {
      const path = new URL(request.url).pathname.replace(/(.)\/+$/, '$1')
      const route = byPath.get(`${request.method === 'HEAD' ? 'GET' : request.method} ${path}`)
      return route ? handleRoute(app, route, request, ip) : new Response('NOT_FOUND', { status: 404 })
    }
  })
  return (server) => {
    for (const path of [BASE, `${BASE}/*`]) {
      server.get(path, async ({ request, server: s }) => (await routes())(request, clientIp(request, s, trusted)))
      server.head(path, async ({ request, server: s }) => (await routes())(request, clientIp(request, s, trusted)))
      server.post(path, async ({ request, server: s }) => (await routes())(request, clientIp(request, s, trusted)), { parse: 'none' })
    }
  }
}
