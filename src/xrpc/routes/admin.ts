// Mounts the operator's console (src/web/admin) under /admin, as the account app is mounted: each route
// gets the client's IP (behind trusted proxies) and the server's rate limiter.
import type { Plugin } from '../app.ts'
import { clientIp } from '../client-ip.ts'
import type { RateLimiter } from '../rate-limit.ts'
import { ADMIN_BASE, type AdminAppServices } from '../../web/admin/context.ts'
import { lazy } from '../lazy.ts'
import { limiter } from './account.ts'

export function adminConsoleRoutes(services: AdminAppServices, rateLimiter: RateLimiter): Plugin {
  const trusted = services.config.rateLimits.trustedProxies
  // The console's pages load at the first request under /admin (see ../lazy.ts); every route is under
  // ADMIN_BASE (test/web/admin/routes-lazy.test.ts checks it).
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
    for (const path of [ADMIN_BASE, `${ADMIN_BASE}/*`]) {
      server.get(path, async ({ request, server: s }) => (await routes())(request, clientIp(request, s, trusted)))
      server.head(path, async ({ request, server: s }) => (await routes())(request, clientIp(request, s, trusted)))
      server.post(path, async ({ request, server: s }) => (await routes())(request, clientIp(request, s, trusted)), { parse: 'none' })
    }
  }
}
