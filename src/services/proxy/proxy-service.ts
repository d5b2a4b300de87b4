// The proxy: XRPC methods this PDS does not serve go, authenticated with a service JWT signed by the
// caller's repo key, to the service the caller names (atproto-proxy) or to the configured default.
// Bodies stream both ways; only read-after-write buffers (see ../read-after-write/).
import { xrpcPath } from '../../core/syntax/index.ts'
import type { Keypair } from '../../core/crypto/index.ts'
import type { Logger } from '../../logger.ts'
import { internalError, upstreamFailure, UpstreamResponseError } from '../errors.ts'
import { createServiceJwt } from '../service-auth/index.ts'
import { DEFAULT_FORWARD_LIMITS, forward, forwardedResponseHeaders, type ForwardLimits, type ForwardSpec, type UpstreamReply } from './forward.ts'
import type { Metrics } from '../metrics.ts'
import { defaultServiceFor } from './methods.ts'
import { pushTarget, resolveProxyTarget, targetAud, type ProxyTarget, type TargetDeps } from './target.ts'

export type ProxyDeps = TargetDeps & {
  /** The account's repo signing key (services.repo.signingKey). */
  signingKey: (did: string) => Keypair | Promise<Keypair>
  log: Logger
  limits?: Partial<ForwardLimits>
  /** Counts calls by upstream and status (src/services/metrics.ts). */
  metrics?: Pick<Metrics, 'proxyCall'>
  /** Told whether the configured AppView answers (a passive breaker: its failing is a health alert). */
  appViewHealth?: { succeeded(): void; failed(err: unknown): void }
}

/** Request headers passed on to the upstream (reference: pipethrough.ts proxyHandler). */
const FORWARDED_REQUEST_HEADERS = ['accept-language', 'atproto-accept-labelers', 'x-bsky-topics']
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-length']

/** Every client header the proxy reads: the edge passes these on in a ProxyCall. */
export const PROXY_CALL_HEADERS = ['atproto-proxy', 'accept-encoding', ...FORWARDED_REQUEST_HEADERS, ...BODY_HEADERS]

/** A client's call to forward, as the edge read it from the request. */
export type ProxyCall = {
  nsid: string
  method: string
  /** Path and query of the client's URL: the reference sends them unchanged to the target's origin. */
  pathAndQuery: string
  /** The client's headers named in PROXY_CALL_HEADERS (lower-case names), those it sent. */
  headers: Record<string, string>
  /** The request body (POST). */
  body?: ReadableStream<Uint8Array> | null
}

/** What the upstream answered: the edge turns it into the client's response. Header names are lower case. */
export type ProxyReply = { status: number; headers: Record<string, string>; body: ReadableStream<Uint8Array> | null }

export type PipethroughOptions = {
  /** Sign a service JWT as this DID; no Authorization header without it. */
  iss?: string
  aud?: string
  lxm?: string
  /** Skip header/default resolution (e.g. a feed generator already resolved). */
  target?: ProxyTarget
}

export class ProxyService {
  readonly limits: ForwardLimits

  constructor(private readonly deps: ProxyDeps) {
    this.limits = { ...DEFAULT_FORWARD_LIMITS, ...deps.limits }
  }

  /** The service a call goes to: the one its atproto-proxy header names, else the method's default. */
  resolveTarget(call: Pick<ProxyCall, 'nsid' | 'headers'>): Promise<ProxyTarget> {
    return resolveProxyTarget(this.deps, call.headers['atproto-proxy'] ?? null, call.nsid)
  }

  pushTarget(serviceDid: string): Promise<ProxyTarget> {
    return pushTarget(this.deps, serviceDid)
  }

  async serviceJwt(iss: string, aud: string, lxm: string): Promise<string> {
    return createServiceJwt({ iss, aud, lxm, keypair: await this.deps.signingKey(iss) })
  }

  /** Whether a call can be proxied at all: the caller names a service, or the method has a default one. */
  hasTarget(call: Pick<ProxyCall, 'nsid' | 'headers'>): boolean {
    return !!call.headers['atproto-proxy'] || !!defaultServiceFor(this.deps.config, call.nsid)
  }

  /** Forwards a client's call as `did` (the edge's proxy fallback has checked the caller). */
  async forwardCall(call: ProxyCall, did: string): Promise<ProxyReply> {
    const target = await this.resolveTarget(call)
    const headers: Record<string, string> = { 'accept-encoding': call.headers['accept-encoding'] || 'identity' }
    copyHeaders(call.headers, headers, FORWARDED_REQUEST_HEADERS)
    const hasBody = call.method === 'POST'
    if (hasBody) copyHeaders(call.headers, headers, BODY_HEADERS)
    headers.authorization = `Bearer ${await this.serviceJwt(did, targetAud(target), call.nsid)}`
    const upstream = await this.send(target, {
      url: upstreamUrl(target, call),
      method: call.method,
      headers,
      body: hasBody ? (call.body ?? null) : null,
      decompress: false,
      address: target.address,
    })
    return { status: upstream.status, headers: forwardedResponseHeaders(upstream.headers, { content: true, encoded: true }), body: upstream.body }
  }

  /**
   * A query forwarded from inside a local handler (read-after-write, getFeed). The body is decoded so the
   * caller may parse it; the returned headers are the ones to pass to the client.
   */
  async pipethrough(call: ProxyCall, opts: PipethroughOptions = {}): Promise<ProxyReply> {
    if (call.method !== 'GET' && call.method !== 'HEAD') throw internalError(`Proxying of ${call.method} requests is not supported`)
    const target = opts.target ?? (await this.resolveTarget(call))
    const headers: Record<string, string> = {}
    copyHeaders(call.headers, headers, FORWARDED_REQUEST_HEADERS)
    if (opts.iss) headers.authorization = `Bearer ${await this.serviceJwt(opts.iss, opts.aud ?? targetAud(target), opts.lxm ?? call.nsid)}`
    const upstream = await this.send(target, { url: upstreamUrl(target, call), method: call.method, headers, decompress: true, address: target.address })
    return { status: upstream.status, headers: forwardedResponseHeaders(upstream.headers, { content: true, encoded: false }), body: upstream.body }
  }

  /** One exchange with `target`, counted by upstream and status; the AppView's failures feed its health. */
  async send(target: ProxyTarget, spec: ForwardSpec): Promise<UpstreamReply> {
    const name = upstreamName(this.deps.config, target)
    try {
      const reply = await forward(spec, this.limits)
      this.observe(name, String(reply.status), null)
      return reply
    } catch (err) {
      this.observe(name, err instanceof UpstreamResponseError ? String(err.upstreamStatus) : 'failed', err)
      throw err
    }
  }

  private observe(upstream: string, status: string, err: unknown) {
    this.deps.metrics?.proxyCall(upstream, status)
    if (upstream !== 'appview' || !this.deps.appViewHealth) return
    // A 4xx is the AppView working (refusing this call); a 5xx, a timeout or no answer is not.
    if (err === null || (err instanceof UpstreamResponseError && err.upstreamStatus < 500)) this.deps.appViewHealth.succeeded()
    else this.deps.appViewHealth.failed(err)
  }
}

/** A bounded name for the metrics label: the configured services by role, anything else by kind. */
function upstreamName(config: ProxyDeps['config'], target: ProxyTarget): string {
  if (config.bskyAppView && target.url === config.bskyAppView.url) return 'appview'
  if (config.chatService && target.url === config.chatService.url) return 'chat'
  if (config.modService && target.url === config.modService.url) return 'moderation'
  if (config.reportService && target.url === config.reportService.url) return 'report'
  const id = target.serviceId?.replace(/^#/, '')
  return id === 'bsky_fg' ? 'feedgen' : id === 'atproto_labeler' ? 'labeler' : 'other'
}

export type CallJsonOptions = {
  target: ProxyTarget
  nsid: string
  /** The account the service JWT speaks for. */
  iss: string
  aud?: string
  lxm?: string
  params?: Record<string, string | string[] | undefined>
  /** JSON input: makes the call a POST. */
  body?: unknown
  /** The client's headers (a ProxyCall's): the ones worth passing on go along (accept-language, labelers...). */
  from?: Record<string, string>
}

/** A JSON call made on the account's behalf (getFeedGenerator, registerPush, createReport). */
export async function callJson(proxy: ProxyService, opts: CallJsonOptions): Promise<unknown> {
  const url = new URL(xrpcPath(opts.nsid), new URL(opts.target.url).origin)
  for (const [key, value] of Object.entries(opts.params ?? {})) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) url.searchParams.append(key, v)
  }
  const headers: Record<string, string> = {}
  if (opts.from) copyHeaders(opts.from, headers, FORWARDED_REQUEST_HEADERS)
  headers.authorization = `Bearer ${await proxy.serviceJwt(opts.iss, opts.aud ?? targetAud(opts.target), opts.lxm ?? opts.nsid)}`
  let body: string | null = null
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const res = await proxy.send(opts.target, { url: url.toString(), method: body !== null ? 'POST' : 'GET', headers, body, decompress: true, address: opts.target.address })
  const text = res.body ? await Bun.readableStreamToText(res.body) : ''
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw upstreamFailure('Upstream returned invalid JSON')
  }
}

function copyHeaders(from: Record<string, string>, to: Record<string, string>, names: string[]) {
  for (const name of names) {
    const value = from[name]
    if (value !== undefined) to[name] = value
  }
}

/** The reference sends the original path and query to the endpoint's origin. */
function upstreamUrl(target: ProxyTarget, call: ProxyCall): string {
  return new URL(call.pathAndQuery, new URL(target.url).origin).toString()
}
