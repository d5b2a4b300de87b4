// The throughput rows' HTTP client: one keep-alive HTTP/1.1 connection per simulated client, one request
// at a time on it, bytes written and parsed on the bench's own thread (as wrk, oha and h2load do). Bun's
// fetch runs its HTTP client on a thread of its own: two cross-thread handoffs a request, which on this
// 2-core machine cost the bench ~100 µs a request (createRecord, alternating on one server: 1,123 µs with
// fetch, 1,026 µs with this; a bare round trip 170 vs 120 µs). That is a tenth of one of our writes and
// a hundredth of the reference's, so the client measured itself into the ratio.
import type { Socket } from 'bun'

export type HttpResponse = { status: number; headers: Map<string, string>; body: Uint8Array; text(): string; json<T>(): T }

const CRLF = new Uint8Array([13, 10])
const CRLF_CRLF = new Uint8Array([13, 10, 13, 10])
const decoder = new TextDecoder()

export class HttpConnection {
  private buffered = new Uint8Array(0)
  private pending?: { resolve: (res: HttpResponse) => void; reject: (err: Error) => void; method: string }
  private closed = false

  private constructor(
    private readonly socket: Socket<undefined>,
    private readonly host: string,
  ) {}

  /** A connection to the server at `url` (http only). */
  static async open(url: string): Promise<HttpConnection> {
    const { hostname, port, host } = new URL(url)
    let connection: HttpConnection | undefined
    const socket = await Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        data: (_socket, bytes) => connection!.received(bytes),
        close: () => connection?.lost(new Error('connection closed by the server')),
        error: (_socket, err) => connection?.lost(err),
      },
    })
    connection = new HttpConnection(socket, host)
    return connection
  }

  /** Sends one request and resolves with the whole response; one request at a time. */
  request(method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
    if (this.pending) throw new Error('one request at a time on an HttpConnection')
    if (this.closed) return Promise.reject(new Error('connection closed'))
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body)
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}\r\n`
    for (const [name, value] of Object.entries(opts.headers ?? {})) head += `${name}: ${value}\r\n`
    if (body) head += `content-length: ${body.byteLength}\r\n`
    const promise = new Promise<HttpResponse>((resolve, reject) => (this.pending = { resolve, reject, method }))
    this.socket.write(body ? Buffer.concat([Buffer.from(`${head}\r\n`), body]) : `${head}\r\n`)
    return promise
  }

  close(): void {
    this.closed = true
    this.socket.end()
  }

  private received(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.buffered.byteLength + bytes.byteLength)
    joined.set(this.buffered)
    joined.set(bytes, this.buffered.byteLength)
    this.buffered = joined
    const parsed = parseResponse(this.buffered, this.pending?.method ?? 'GET')
    if (!parsed) return
    this.buffered = this.buffered.subarray(parsed.length)
    const pending = this.pending
    this.pending = undefined
    if (!pending) return this.lost(new Error(`response with no request: ${parsed.response.status}`))
    pending.resolve(parsed.response)
  }

  private lost(err: Error): void {
    this.closed = true
    const pending = this.pending
    this.pending = undefined
    pending?.reject(err)
  }
}

/** One complete response at the start of `bytes` and its length in bytes, or undefined when more must come. */
function parseResponse(bytes: Uint8Array, method: string): { response: HttpResponse; length: number } | undefined {
  const headEnd = indexOf(bytes, CRLF_CRLF)
  if (headEnd < 0) return undefined
  const [statusLine, ...lines] = decoder.decode(bytes.subarray(0, headEnd)).split('\r\n')
  const status = Number(statusLine!.split(' ')[1])
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
  const bodyStart = headEnd + 4
  const noBody = method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)
  let body: Uint8Array
  let length: number
  if (noBody) {
    body = new Uint8Array(0)
    length = bodyStart
  } else if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) {
    const chunks = dechunk(bytes, bodyStart)
    if (!chunks) return undefined
    ;({ body, length } = chunks)
  } else if (headers.has('content-length')) {
    length = bodyStart + Number(headers.get('content-length'))
    if (bytes.byteLength < length) return undefined
    body = bytes.slice(bodyStart, length)
  } else {
    throw new Error(`response with neither content-length nor chunked encoding (status ${status})`)
  }
  const response: HttpResponse = { status, headers, body, text: () => decoder.decode(body), json: <T>() => JSON.parse(decoder.decode(body)) as T }
  return { response, length }
}

/** A chunked body starting at `at`: its bytes and where the response ends, or undefined when incomplete. */
function dechunk(bytes: Uint8Array, at: number): { body: Uint8Array; length: number } | undefined {
  const parts: Uint8Array[] = []
  for (;;) {
    const lineEnd = indexOf(bytes, CRLF, at)
    if (lineEnd < 0) return undefined
    const size = parseInt(decoder.decode(bytes.subarray(at, lineEnd)).split(';')[0]!, 16)
    const dataStart = lineEnd + 2
    if (size === 0) {
      // No trailers from either server: the terminating chunk is followed by one CRLF.
      if (bytes.byteLength < dataStart + 2) return undefined
      return { body: Buffer.concat(parts), length: dataStart + 2 }
    }
    if (bytes.byteLength < dataStart + size + 2) return undefined
    parts.push(bytes.subarray(dataStart, dataStart + size))
    at = dataStart + size + 2
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, from)
}
