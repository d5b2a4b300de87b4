// Mounts the account web app (src/web/account) under /account: each route gets the client's IP (behind
// trusted proxies) and the server's rate limiter, with its windows per IP or per signed-in account.
import type { Plugin } from '../app.ts'
import type { AuthResult } from '../auth.ts'
import { clientIp } from '../client-ip.ts'
import { XRPCError } from '../errors.ts'
import type { RateLimiter, RateLimitRule } from '../rate-limit.ts'
import type { Services } from '../services.ts'
import { createAccountApp, ROUTES } from '../../web/account/app.ts'
import type { WebLimit } from '../../web/account/context.ts'
import { handleRoute } from '../../web/account/router.ts'
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
  const app = createAccountApp(services, limiter(services.rateLimiter))
  const trusted = services.config.rateLimits.trustedProxies
  return (server) => {
    for (const route of ROUTES) {
      if (route.method === 'GET') server.get(route.path, ({ request, server: s }) => handleRoute(app, route, request, clientIp(request, s, trusted)))
      else server.post(route.path, ({ request, server: s }) => handleRoute(app, route, request, clientIp(request, s, trusted)), { parse: 'none' })
    }
  }
}
