// Elysia glue: the HTTP surface (XRPC, health, banner, CORS) around dispatchXrpc.
import { Elysia } from 'elysia'
import type { Services } from './services.ts'
import { dispatchXrpc, type FallbackHandler, type Registry } from './dispatch.ts'
import { clientIp } from './client-ip.ts'
import { AuthRequiredError, errorResponse, InvalidRequestError } from './errors.ts'
import { isAdmin } from './auth.ts'
import { refuseOversizedBody } from './body-limit.ts'

export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
}

const BANNER = `         __                         __
        /\\ \\__                     /\\ \\__
   __   \\ \\ ,_\\  _____   _ __   ___\\ \\ ,_\\   ___
 /'__'\\  \\ \\ \\/ /\\ '__'\\/\\''__\\/ __'\\ \\ \\/  / __'\\
/\\ \\L\\.\\_ \\ \\ \\_\\ \\ \\L\\ \\ \\ \\//\\ \\L\\ \\ \\ \\_/\\ \\L\\ \\
\\ \\__/.\\_\\ \\ \\__\\\\ \\ ,__/\\ \\_\\\\ \\____/\\ \\__\\ \\____/
 \\/__/\\/_/  \\/__/ \\ \\ \\/  \\/_/ \\/___/  \\/__/\\/___/
                   \\ \\_\\
                    \\/_/

This is an AT Protocol Personal Data Server (aka, a PDS), running pds (a single-binary PDS on Bun).

Most API routes are under /xrpc/

      Code: https://github.com/bluesky-social/atproto
  Protocol: https://atproto.com
`

export type Plugin = (app: Elysia<any, any, any, any, any, any, any>) => unknown

export function createApp(opts: {
  services: Services
  registry: Registry
  version: string
  plugins?: Plugin[]
  fallback?: FallbackHandler
  /** The largest request body any route accepts; a longer declared Content-Length is refused up front. */
  maxRequestBytes?: number
  /** GET / for browsers (src/web/status); others, and `Accept: text/plain`, get the text banner. */
  statusPage?: (req: Request) => Response | Promise<Response>
}) {
  const { services, registry } = opts
  const trusted = services.config.rateLimits.trustedProxies
  const logRequests = services.log.level === 'debug' || services.log.level === 'trace'
  // Still 200 when degraded: the server answers; the alerts say what needs the operator (src/services/health).
  const health = () => {
    if (!services.isHealthy()) return Response.json({ version: opts.version, error: 'Service Unavailable' }, { status: 503 })
    const alerts = services.alerts?.() ?? []
    return alerts.length ? { version: opts.version, status: 'degraded', alerts } : { version: opts.version }
  }
  const metrics = services.metrics
  const app = new Elysia()
    .onRequest(({ request, set }) => {
      if (request.method === 'OPTIONS') {
        return new Response(null, {
          status: 204,
          headers: {
            ...CORS_HEADERS,
            'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
            'Access-Control-Allow-Headers': request.headers.get('access-control-request-headers') ?? '*',
            'Access-Control-Max-Age': '86400',
            Vary: 'Access-Control-Request-Headers',
          },
        })
      }
      if (opts.maxRequestBytes !== undefined) {
        const refused = refuseOversizedBody(request, opts.maxRequestBytes, CORS_HEADERS)
        if (refused) return refused
      }
      set.headers['Access-Control-Allow-Origin'] = '*'
    })
    .get('/', ({ request }) => {
      if (opts.statusPage && wantsHtml(request)) return opts.statusPage(request)
      return new Response(BANNER, { headers: { 'content-type': 'text/plain; charset=utf-8', vary: 'Accept' } })
    })
    .get('/robots.txt', () => new Response('# Hello!\n\n# Crawling the public API is allowed\nUser-agent: *\nAllow: /\n', { headers: { 'content-type': 'text/plain; charset=utf-8' } }))
    .get('/xrpc/_health', health)
    // The peers' plain alias (the reference's /xrpc/_health under the name load balancers expect).
    .get('/health', health)
    // Upstream circuit breakers for `pds status`: admin only (it names the relays and their errors).
    .get('/xrpc/_upstreams', ({ request }) => {
      if (!isAdmin(request, services.config.secrets.adminPassword)) return errorResponse(AuthRequiredError('Admin authentication required'), CORS_HEADERS)
      return { upstreams: services.breakers.snapshot() }
    })
  for (const plugin of opts.plugins ?? []) plugin(app)
  app.all(
    '/xrpc/:nsid',
    async ({ request, params, server }) => {
      const started = logRequests || metrics ? performance.now() : 0
      const ip = clientIp(request, server, trusted)
      const res = await dispatchXrpc(params.nsid, request, ip, registry, services, opts.fallback)
      res.headers.set('Access-Control-Allow-Origin', '*')
      if (metrics) metrics.request(metricsNsid(params.nsid, registry, services), res.status, (performance.now() - started) / 1000)
      if (logRequests) {
        services.log.debug('xrpc request', { method: request.method, nsid: params.nsid, status: res.status, ip, ms: performance.now() - started })
      }
      return res
    },
    { parse: 'none' },
  )
  // Everything else under /xrpc/ (no NSID, several segments, `..`): the reference's parseUrlNsid refusal.
  app.all('/xrpc/*', () => errorResponse(InvalidRequestError('invalid xrpc path'), CORS_HEADERS), { parse: 'none' })
  return app
}

/** Browsers name text/html in Accept; curl and monitors (any type) and `Accept: text/plain` get the banner. */
function wantsHtml(req: Request): boolean {
  const accept = req.headers.get('accept') ?? ''
  return accept.includes('text/html')
}

/** Methods we serve or know from a lexicon keep their name; anything else is 'other' (labels must stay few). */
function metricsNsid(nsid: string, registry: Registry, services: Services): string {
  return registry.has(nsid) || services.lexicons.getMethod(nsid) ? nsid : 'other'
}
