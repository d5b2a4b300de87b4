// GET /metrics: the Prometheus exposition (src/xrpc/prometheus.ts). Mounted only when
// PDS_METRICS_ENABLED is set (else the path is a plain 404); with PDS_METRICS_TOKEN set, a scrape must
// carry `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }`).
import type { Plugin } from '../app.ts'
import { safeEqual } from '../auth.ts'
import { authCredentials } from '../auth-scheme.ts'
import type { PrometheusExporter } from '../prometheus.ts'

export const METRICS_PATH = '/metrics'

export function metricsPlugin(exporter: PrometheusExporter, opts: { token?: string }): Plugin {
  return (app) =>
    app.get(METRICS_PATH, async ({ request }) => {
      if (opts.token) {
        const given = authCredentials(request.headers.get('authorization'), 'Bearer')
        if (!given || !safeEqual(given, opts.token)) {
          return Response.json(
            { error: 'AuthenticationRequired', message: 'a bearer token (PDS_METRICS_TOKEN) is required' },
            { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } },
          )
        }
      }
      const { body, contentType } = await exporter.scrape()
      return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } })
    })
}
