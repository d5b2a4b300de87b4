// Mounts the operator's console (src/web/admin) under /admin, as the account app is mounted: each route
// gets the client's IP (behind trusted proxies) and the server's rate limiter.
import type { Plugin } from '../app.ts'
import { clientIp } from '../client-ip.ts'
import type { RateLimiter } from '../rate-limit.ts'
import { ADMIN_ROUTES, createAdminApp } from '../../web/admin/app.ts'
import type { AdminAppServices } from '../../web/admin/context.ts'
import { handleAdminRoute } from '../../web/admin/router.ts'
import { limiter } from './account.ts'

export function adminConsoleRoutes(services: AdminAppServices, rateLimiter: RateLimiter): Plugin {
  const app = createAdminApp(services, limiter(rateLimiter))
  const trusted = services.config.rateLimits.trustedProxies
  return (server) => {
    for (const route of ADMIN_ROUTES) {
      if (route.method === 'GET') server.get(route.path, ({ request, server: s }) => handleAdminRoute(app, route, request, clientIp(request, s, trusted)))
      else server.post(route.path, ({ request, server: s }) => handleAdminRoute(app, route, request, clientIp(request, s, trusted)), { parse: 'none' })
    }
  }
}
