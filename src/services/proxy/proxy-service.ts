// The proxy: XRPC methods this PDS does not serve go, authenticated with a service JWT signed by the
// caller's repo key, to the service the caller names (atproto-proxy) or to the configured default.
// Bodies stream both ways; only read-after-write buffers (see ../read-after-write/).
import { xrpcPath } from '../../core/syntax/index.ts'
import type { Keypair } from '../../core/crypto/index.ts'
import type { Logger } from '../../logger.ts'
import { internalError, upstreamFailure } from '../errors.ts'
import { createServiceJwt } from '../service-auth/index.ts'
import { DEFAULT_FORWARD_LIMITS, forward, forwardedResponseHeaders, type ForwardLimits } from './forward.ts'
import { defaultServiceFor } from './methods.ts'
import { pushTarget, resolveProxyTarget, targetAud, type ProxyTarget, type TargetDeps } from './target.ts'

export type ProxyDeps = TargetDeps & {
  /** The account's repo signing key (services.repo.signingKey). */
  signingKey: (did: string) => Keypair | Promise<Keypair>
  log: Logger
  limits?: Partial<ForwardLimits>
}

/** Request headers passed on to the upstream (reference: pipethrough.ts proxyHandler). */
const FORWARDED_REQUEST_HEADERS = ['accept-language', 'atproto-accept-labelers', 'x-bsky-topics']
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-length']

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

  resolveTarget(req: Request, nsid: string): Promise<ProxyTarget> {
    return resolveProxyTarget(this.deps, req.headers.get('atproto-proxy'), nsid)
  }

  pushTarget(serviceDid: string): Promise<ProxyTarget> {
    return pushTarget(this.deps, serviceDid)
  }

  async serviceJwt(iss: string, aud: string, lxm: string): Promise<string> {
    return createServiceJwt({ iss, aud, lxm, keypair: await this.deps.signingKey(iss) })
  }

  /** Whether a call can be proxied at all: the caller names a service, or the method has a default one. */
  hasTarget(req: Request, nsid: string): boolean {
    return !!req.headers.get('atproto-proxy') || !!defaultServiceFor(this.deps.config, nsid)
  }

  /** Forwards a client's call as `did` (the edge's proxy fallback has checked the caller). */
  async forwardCall(req: Request, nsid: string, did: string): Promise<Response> {
    const target = await this.resolveTarget(req, nsid)
    const headers = new Headers()
    headers.set('accept-encoding', req.headers.get('accept-encoding') || 'identity')
    copyHeaders(req.headers, headers, FORWARDED_REQUEST_HEADERS)
    const hasBody = req.method === 'POST'
    if (hasBody) copyHeaders(req.headers, headers, BODY_HEADERS)
    headers.set('authorization', `Bearer ${await this.serviceJwt(did, targetAud(target), nsid)}`)
    const upstream = await forward(
      { url: upstreamUrl(target, req), method: req.method, headers, body: hasBody ? req.body : null, decompress: false, address: target.address },
      this.limits,
    )
    return new Response(upstream.body, {
      status: upstream.status,
      headers: forwardedResponseHeaders(upstream.headers, { content: true, encoded: true }),
    })
  }

  /**
   * A query forwarded from inside a local handler (read-after-write, getFeed). The body is decoded so the
   * caller may parse it; the returned headers are the ones to pass to the client.
   */
  async pipethrough(req: Request, nsid: string, opts: PipethroughOptions = {}): Promise<Response> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw internalError(`Proxying of ${req.method} requests is not supported`)
    const target = opts.target ?? (await this.resolveTarget(req, nsid))
    const headers = new Headers()
    copyHeaders(req.headers, headers, FORWARDED_REQUEST_HEADERS)
    if (opts.iss) headers.set('authorization', `Bearer ${await this.serviceJwt(opts.iss, opts.aud ?? targetAud(target), opts.lxm ?? nsid)}`)
    const upstream = await forward({ url: upstreamUrl(target, req), method: req.method, headers, decompress: true, address: target.address }, this.limits)
    return new Response(upstream.body, {
      status: upstream.status,
      headers: forwardedResponseHeaders(upstream.headers, { content: true, encoded: false }),
    })
  }
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
  /** Headers of the client request worth passing on (accept-language, labelers...). */
  from?: Request
}

/** A JSON call made on the account's behalf (getFeedGenerator, registerPush, createReport). */
export async function callJson(proxy: ProxyService, opts: CallJsonOptions): Promise<unknown> {
  const url = new URL(xrpcPath(opts.nsid), new URL(opts.target.url).origin)
  for (const [key, value] of Object.entries(opts.params ?? {})) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) url.searchParams.append(key, v)
  }
  const headers = new Headers()
  if (opts.from) copyHeaders(opts.from.headers, headers, FORWARDED_REQUEST_HEADERS)
  headers.set('authorization', `Bearer ${await proxy.serviceJwt(opts.iss, opts.aud ?? targetAud(opts.target), opts.lxm ?? opts.nsid)}`)
  let body: ReadableStream<Uint8Array> | null = null
  if (opts.body !== undefined) {
    headers.set('content-type', 'application/json')
    body = new Response(JSON.stringify(opts.body)).body
  }
  const res = await forward({ url: url.toString(), method: body ? 'POST' : 'GET', headers, body, decompress: true, address: opts.target.address }, proxy.limits)
  const text = await res.text()
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw upstreamFailure('Upstream returned invalid JSON')
  }
}

function copyHeaders(from: Headers, to: Headers, names: string[]) {
  for (const name of names) {
    const value = from.get(name)
    if (value !== null) to.set(name, value)
  }
}

/** The reference sends the original path and query to the endpoint's origin. */
function upstreamUrl(target: ProxyTarget, req: Request): string {
  const original = new URL(req.url)
  return new URL(original.pathname + original.search, new URL(target.url).origin).toString()
}
