// Mounts the operator's console (src/web/admin) under /admin, as the account app is mounted: loaded at the
// first request (../lazy.ts), each route gets the client's IP (behind trusted proxies) and the server's
// rate limiter.
import type { Plugin } from '../app.ts'
import { clientIp } from '../client-ip.ts'
import { lazy } from '../lazy.ts'
import type { RateLimiter } from '../rate-limit.ts'
import { ADMIN_BASE as BASE, type AdminAppServices } from '../../web/admin/context.ts'
import { limiter } from './account.ts'

export function adminConsoleRoutes(services: AdminAppServices, rateLimiter: RateLimiter): Plugin {
  const trusted = services.config.rateLimits.trustedProxies
  const routes = lazy(async () => {
    const [{ ADMIN_ROUTES, createAdminApp }, { handleAdminRoute }] = await Promise.all([import('../../web/admin/app.ts'), import('../../web/admin/router.ts')])
    const app = createAdminApp(services, limiter(rateLimiter))
    const byPath = new Map(ADMIN_ROUTES.map((route) => [`${route.method} ${route.path}`, route]))
    return (request: Request, ip: string) => {
      const path = new URL(request.url).pathname.replace(/(.)\/+$/, '$1')
      const route = byPath.get(`${request.method === 'HEAD' ? 'GET' : request.method} ${path}`)
      return route ? handleAdminRoute(app, route, request, ip) : new Response('NOT_FOUND', { status: 404 })
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
