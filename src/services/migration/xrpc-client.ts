// A small XRPC client for talking to another PDS as one of its users (account migration): queries,
// procedures, raw bytes. Outbound I/O only: it reads the remote's Response and returns plain data or
// throws XrpcResponseError / XrpcUnreachableError. Callers choose the fetch (the web wizard passes the
// guarded fetch, since the old server's address is a user's choice).
export type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>
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

export class XrpcUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly cause: unknown,
  ) {
    super(`cannot reach ${baseUrl} (${(cause as Error)?.message ?? cause})`)
    this.name = 'XrpcUnreachableError'
  }
}

export class XrpcClient {
  constructor(
    readonly baseUrl: string,
    readonly authorization?: string,
    protected readonly fetchFn: FetchFn = fetch,
    /** The error thrown when nothing answers (the CLI says "is `pds serve` running?"). */
    protected readonly unreachable: (baseUrl: string, cause: unknown) => Error = (base, cause) => new XrpcUnreachableError(base, cause),
  ) {}

  withAuthorization(authorization: string | undefined): XrpcClient {
    return new XrpcClient(this.baseUrl, authorization, this.fetchFn, this.unreachable)
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
      throw this.unreachable(this.baseUrl, err)
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string }
      throw new XrpcResponseError(nsid, res.status, body.error ?? 'Error', body.message ?? '')
    }
    return res
  }
}
