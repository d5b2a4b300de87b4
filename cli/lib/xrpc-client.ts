// A small XRPC client for operator commands: the running server, admin auth from pds.env.
import type { Config } from '../../src/config/config.ts'
import { CliError, EXIT } from './errors.ts'

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>
type Params = Record<string, string | number | boolean | string[] | undefined>

export class XrpcResponseError extends Error {
  constructor(
    readonly nsid: string,
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(`${nsid}: ${error}${message ? `: ${message}` : ''} (HTTP ${status})`)
    this.name = 'XrpcResponseError'
  }
}

export class XrpcClient {
  constructor(
    readonly baseUrl: string,
    readonly authorization?: string,
    private readonly fetchFn: FetchFn = fetch,
  ) {}

  /** The local server (loopback on its configured port) with the admin password. */
  static admin(config: Config, url?: string, fetchFn?: FetchFn): XrpcClient {
    const basic = Buffer.from(`admin:${config.secrets.adminPassword}`).toString('base64')
    return new XrpcClient(url ?? localUrl(config), `Basic ${basic}`, fetchFn)
  }

  withAuthorization(authorization: string | undefined): XrpcClient {
    return new XrpcClient(this.baseUrl, authorization, this.fetchFn)
  }

  async query<T>(nsid: string, params: Params = {}): Promise<T> {
    const res = await this.send(nsid, { method: 'GET' }, params)
    return (await res.json()) as T
  }

  async queryBytes(nsid: string, params: Params = {}): Promise<{ bytes: Uint8Array; contentType: string | null }> {
    const res = await this.send(nsid, { method: 'GET' }, params)
    return { bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get('content-type') }
  }

  /** `body` undefined sends no body at all: a procedure without input refuses even `{}` (as the reference). */
  async procedure<T>(nsid: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const init: RequestInit =
      body === undefined
        ? { method: 'POST' }
        : { method: 'POST', body: contentType === 'application/json' ? JSON.stringify(body) : (body as Uint8Array | string), headers: { 'content-type': contentType } }
    const res = await this.send(nsid, init)
    const text = await res.text()
    return (text ? JSON.parse(text) : {}) as T
  }

  private async send(nsid: string, init: RequestInit, params: Params = {}): Promise<Response> {
    const url = new URL(`/xrpc/${nsid}`, this.baseUrl)
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v))
    }
    const headers = new Headers(init.headers)
    if (this.authorization) headers.set('authorization', this.authorization)
    let res: Response
    try {
      res = await this.fetchFn(url, { ...init, headers })
    } catch (err) {
      throw new CliError(`cannot reach the server at ${this.baseUrl} (${(err as Error).message}); is \`pds serve\` running?`, EXIT.unavailable)
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string }
      throw new XrpcResponseError(nsid, res.status, body.error ?? 'Error', body.message ?? '')
    }
    return res
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
