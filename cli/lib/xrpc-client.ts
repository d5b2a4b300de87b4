// A small XRPC client for operator commands: the running server, admin auth from pds.env. The client
// itself is the migration service's (src/services/migration/xrpc-client.ts); here it says what an
// operator can do when nothing answers.
import type { Config } from '../../src/config/config.ts'
import { XrpcClient as BaseXrpcClient, type FetchFn } from '../../src/services/migration/xrpc-client.ts'
import { CliError, EXIT } from './errors.ts'

export { XrpcResponseError, type FetchFn } from '../../src/services/migration/xrpc-client.ts'

const notRunning = (baseUrl: string, err: unknown) =>
  new CliError(`cannot reach the server at ${baseUrl} (${(err as Error).message}); is \`pds serve\` running?`, EXIT.unavailable)

export class XrpcClient extends BaseXrpcClient {
  constructor(baseUrl: string, authorization?: string, fetchFn: FetchFn = fetch) {
    super(baseUrl, authorization, fetchFn, notRunning)
  }

  /** The local server (loopback on its configured port) with the admin password. */
  static admin(config: Config, url?: string, fetchFn?: FetchFn): XrpcClient {
    const basic = Buffer.from(`admin:${config.secrets.adminPassword}`).toString('base64')
    return new XrpcClient(url ?? localUrl(config), `Basic ${basic}`, fetchFn)
  }
}

export function localUrl(config: Config): string {
  return `http://127.0.0.1:${config.service.port}`
}

/** The server's /xrpc/_health answer, or null when nothing answers there. */
export async function probeHealth(
  baseUrl: string,
  fetchFn: FetchFn = fetch,
  timeoutMs = 2000,
): Promise<{ version?: string; status: number; alerts?: Array<{ id: string; message: string }> } | null> {
  try {
    const res = await fetchFn(new URL('/xrpc/_health', baseUrl), { signal: AbortSignal.timeout(timeoutMs) })
    const body = (await res.json().catch(() => ({}))) as { version?: string; alerts?: unknown }
    // Servers before the alerts answer without the field: no alerts.
    const alerts = Array.isArray(body.alerts) ? (body.alerts as Array<{ id: string; message: string }>) : undefined
    return { version: body.version, status: res.status, alerts }
  } catch {
    return null
  }
}
