// One upstream HTTP exchange: bounded in time and size, streamed both ways, upstream errors mapped to
// XRPC errors the way the reference maps them (pipethrough.ts: 500 becomes 502, unreachable is 502).
import { fetchPinned } from '../net/guarded-fetch.ts'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { upstreamFailure, UpstreamResponseError } from '../errors.ts'

export type ForwardLimits = {
  /** Until the upstream's status line and headers arrive. */
  headersTimeoutMs: number
  /** Longest silence between two body chunks. */
  bodyTimeoutMs: number
  maxResponseBytes: number
}

// The reference's defaults (PDS_PROXY_HEADERS_TIMEOUT, PDS_PROXY_BODY_TIMEOUT, PDS_PROXY_MAX_RESPONSE_SIZE).
export const DEFAULT_FORWARD_LIMITS: ForwardLimits = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  maxResponseBytes: 10 * 1024 * 1024,
}

export type ForwardSpec = {
  url: string
  method: string
  headers: Record<string, string>
  body?: ReadableStream<Uint8Array> | string | null
  /** false passes compressed bodies through untouched; true decodes them (for munging). */
  decompress: boolean
  /** The checked address of a host named in a DID document: connect there, not to a fresh lookup. */
  address?: string
}

const RESPONSE_HEADERS = ['atproto-repo-rev', 'atproto-content-labelers', 'retry-after']
const CONTENT_HEADERS = ['content-type', 'content-language']
const ENCODED_HEADERS = ['content-length', 'content-encoding']

/** An upstream's answer (status < 400), its body guarded by the limits; header names are lower case. */
export type UpstreamReply = { status: number; headers: Headers; body: ReadableStream<Uint8Array> | null }

/** The upstream headers a client gets back (the reference's RES_HEADERS_TO_FORWARD plus content headers). */
export function forwardedResponseHeaders(upstream: Headers, opts: { content: boolean; encoded: boolean }): Record<string, string> {
  const out: Record<string, string> = {}
  const names = [...RESPONSE_HEADERS, ...(opts.content ? CONTENT_HEADERS : []), ...(opts.content && opts.encoded ? ENCODED_HEADERS : [])]
  for (const name of names) {
    const value = upstream.get(name)
    if (value !== null) out[name] = value
  }
  return out
}

async function upstreamError(res: Response): Promise<UpstreamResponseError> {
  let error: string | undefined
  let message: string | undefined
  const type = res.headers.get('content-type') ?? ''
  const length = Number(res.headers.get('content-length') ?? 0)
  if (/application\/(?:\w+\+)?json/i.test(type) && length <= MAX_ERROR_BODY) {
    try {
      const raw = await readAtMost(res.body, MAX_ERROR_BODY)
      // The client's accept-encoding went upstream, so an error body may come compressed.
      const body = JSON.parse(decodeErrorBody(raw, res.headers.get('content-encoding')).toString('utf8')) as { error?: unknown; message?: unknown }
      if (typeof body.error === 'string') error = body.error
      if (typeof body.message === 'string') message = body.message
    } catch {
      // unreadable error bodies are not worth failing over
    }
  } else {
    await res.body?.cancel().catch(() => {})
  }
  const status = res.status === 500 ? 502 : res.status
  const [defaultName, defaultMessage] = STATUS_NAMES[status] ?? (status >= 500 ? STATUS_NAMES[500]! : STATUS_NAMES[400]!)
  const headers = forwardedResponseHeaders(res.headers, { content: false, encoded: false })
  return new UpstreamResponseError(status, error ?? defaultName, message || defaultMessage, headers)
}

/** Error bodies are read up to this size (compressed and decoded), then given up on. */
const MAX_ERROR_BODY = 64 * 1024

/** The body's first `max` bytes; throws when there is more (a chunked body has no declared length). */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, max: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength
    // Throwing out of the loop cancels the stream (and with it the connection).
    if (total > max) throw new Error(`body larger than ${max} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function decodeErrorBody(raw: Buffer, encoding: string | null): Buffer {
  let out = raw
  const codings = (encoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity')
  for (const coding of codings.reverse()) {
    const opts = { maxOutputLength: MAX_ERROR_BODY }
    if (coding === 'gzip' || coding === 'x-gzip') out = gunzipSync(out, opts)
    else if (coding === 'deflate') out = inflateSync(out, opts)
    else if (coding === 'br') out = brotliDecompressSync(out, opts)
    else throw new Error(`unknown content-encoding ${coding}`)
  }
  return out
}

/** What an upstream error without a readable JSON body is called (@atproto/xrpc's ResponseType names and strings). */
const STATUS_NAMES: Record<number, [string, string]> = {
  400: ['InvalidRequest', 'Invalid Request'],
  401: ['AuthenticationRequired', 'Authentication Required'],
  403: ['Forbidden', 'Forbidden'],
  404: ['XRPCNotSupported', 'XRPC Not Supported'],
  406: ['NotAcceptable', 'Not Acceptable'],
  413: ['PayloadTooLarge', 'Payload Too Large'],
  415: ['UnsupportedMediaType', 'Unsupported Media Type'],
  429: ['RateLimitExceeded', 'Rate Limit Exceeded'],
  500: ['InternalServerError', 'Internal Server Error'],
  501: ['MethodNotImplemented', 'Method Not Implemented'],
  502: ['UpstreamFailure', 'Upstream Failure'],
  503: ['NotEnoughResources', 'Not Enough Resources'],
  504: ['UpstreamTimeout', 'Upstream Timeout'],
}

/** Streams the body on, enforcing the size cap and the idle timeout; cancelling it aborts the upstream. */
function guardedBody(body: ReadableStream<Uint8Array>, limits: ForwardLimits, abort: AbortController): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let total = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const timer = setTimeout(() => abort.abort(new Error('upstream body timeout')), limits.bodyTimeoutMs)
      try {
        const { done, value } = await reader.read()
        if (done) return controller.close()
        total += value.byteLength
        if (total > limits.maxResponseBytes) {
          abort.abort(new Error('upstream response too large'))
          return controller.error(upstreamFailure('Upstream response too large'))
        }
        controller.enqueue(value)
      } catch (err) {
        controller.error(err)
      } finally {
        clearTimeout(timer)
      }
    },
    cancel(reason) {
      abort.abort(reason)
      return reader.cancel(reason).catch(() => {})
    },
  })
}

/** Sends the request; resolves with a < 400 answer whose body is guarded, or throws an UpstreamResponseError or upstreamFailure. */
export async function forward(spec: ForwardSpec, limits: ForwardLimits = DEFAULT_FORWARD_LIMITS): Promise<UpstreamReply> {
  const abort = new AbortController()
  const headersTimer = setTimeout(() => abort.abort(new Error('upstream headers timeout')), limits.headersTimeoutMs)
  let res: Response
  try {
    const init = {
      method: spec.method,
      headers: spec.headers,
      body: spec.body ?? undefined,
      redirect: 'manual',
      signal: abort.signal,
      decompress: spec.decompress,
      ...(spec.body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit
    res = await (spec.address ? fetchPinned({ url: new URL(spec.url), address: spec.address }, init) : fetch(spec.url, init))
  } catch {
    throw upstreamFailure('Upstream service unreachable')
  } finally {
    clearTimeout(headersTimer)
  }
  if (res.status >= 400) throw await upstreamError(res)
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (declared > limits.maxResponseBytes) {
    abort.abort()
    throw upstreamFailure('Upstream response too large')
  }
  const body = res.body ? guardedBody(res.body, limits, abort) : null
  return { status: res.status, headers: res.headers, body }
}
