// The proxy in-process: router fallback → ProxyService → fake upstreams on loopback (stub auth, fixed key).
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig } from '../../src/config/config.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { Lexicons } from '../../src/core/lexicon/index.ts'
import { LEXICON_SOURCES } from '../../src/generated/lexicons.gen.ts'
import { createLogger } from '../../src/logger.ts'
import { NO_EVENTS } from '../../src/services/events.ts'
import { ProxyService, assertPublicEndpoint, isPrivateAddress, type ForwardLimits } from '../../src/services/proxy/index.ts'
import { SimpleDidResolver } from '../helpers/did-resolver.ts'
import type { Services } from '../../src/xrpc/services.ts'
import { createApp } from '../../src/xrpc/app.ts'
import { proxyFallback } from '../../src/xrpc/proxy-fallback.ts'
import type { AuthVerifier } from '../../src/xrpc/auth.ts'
import { AuthRequiredError } from '../../src/xrpc/errors.ts'
import { RateLimiter } from '../../src/xrpc/rate-limit.ts'
import { startFakeServices } from '../helpers/fake-services.ts'
import { testEnv } from '../helpers/server.ts'

const USER = 'did:plc:proxyuser0000000000000000'
const userKey = Secp256k1Keypair.create()
const fakes = startFakeServices(async (iss) => {
  if (iss !== USER) throw AuthRequiredError('unknown issuer', 'BadJwtIss')
  return userKey.did()
})
afterAll(() => fakes.close())

/** 'Bearer full' is a privileged session, 'Bearer app' a plain app password (the proxy asks for 'accessProxied'). */
const stubVerifier: AuthVerifier = async (kind, { req }) => {
  const header = req.headers.get('authorization')
  if (kind === 'accessProxied' && (header === 'Bearer full' || header === 'Bearer app')) {
    return { type: 'access', did: USER, scope: 'com.atproto.access', isPrivileged: header === 'Bearer full' }
  }
  throw AuthRequiredError()
}

function buildApp(opts: { env?: Record<string, string>; limits?: Partial<ForwardLimits> } = {}) {
  const config = buildConfig(testEnv(mkdtempSync(join(tmpdir(), 'pds-proxy-')), 0, { ...fakes.env, ...opts.env }))
  const log = createLogger('silent')
  const proxy = new ProxyService({
    config,
    didResolver: new SimpleDidResolver({ plcUrl: config.identity.plcUrl, allowHttpWeb: true }),
    signingKey: () => userKey,
    log,
    limits: opts.limits,
  })
  // Only what the router and the fallback use; the proxy takes its own dependencies.
  const services = {
    config,
    log,
    lexicons: new Lexicons(LEXICON_SOURCES, { lazy: true }),
    rateLimiter: new RateLimiter(config.rateLimits),
    verifyAuth: stubVerifier,
    events: NO_EVENTS,
    isHealthy: () => true,
  } as unknown as Services
  const app = createApp({ services, registry: new Map(), version: 'test', fallback: proxyFallback(proxy, stubVerifier) })
  return (path: string, init: RequestInit = {}) =>
    app.handle(new Request(`http://localhost/xrpc/${path}`, { ...init, headers: { authorization: 'Bearer full', ...(init.headers as object) } }))
}

const call = buildApp()
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (r: Response) => (await r.json()) as any
const lastCall = (svc: { calls: unknown[] }) => svc.calls.at(-1) as (typeof fakes.appView.calls)[number]

describe('forwarding', () => {
  test('app.bsky.* goes to the AppView with a service JWT and the reference headers', async () => {
    fakes.appView.on('app.bsky.feed.getTimeline', (c) =>
      Response.json({ feed: [], echo: c.url.search }, { headers: { 'atproto-repo-rev': '3abc', 'atproto-content-labelers': 'did:plc:lab', 'x-internal': 'no' } }),
    )
    const res = await call('app.bsky.feed.getTimeline?limit=5', {
      headers: { 'accept-language': 'fr', 'atproto-accept-labelers': 'did:plc:lab', 'x-bsky-topics': 'cats', cookie: 'secret' },
    })
    expect(res.status).toBe(200)
    expect(await body(res)).toEqual({ feed: [], echo: '?limit=5' })
    expect(res.headers.get('atproto-repo-rev')).toBe('3abc')
    expect(res.headers.get('atproto-content-labelers')).toBe('did:plc:lab')
    expect(res.headers.get('x-internal')).toBeNull()
    const got = lastCall(fakes.appView)
    expect(got.jwt).toMatchObject({ iss: USER, aud: fakes.appView.did, lxm: 'app.bsky.feed.getTimeline' })
    expect(got.jwt!.exp - got.jwt!.iat!).toBe(60)
    expect(got.headers.get('accept-language')).toBe('fr')
    expect(got.headers.get('atproto-accept-labelers')).toBe('did:plc:lab')
    expect(got.headers.get('x-bsky-topics')).toBe('cats')
    expect(got.headers.get('cookie')).toBeNull()
  })

  test('atproto-proxy names the service; aud is its bare DID', async () => {
    fakes.chat.on('chat.bsky.convo.listConvos', () => Response.json({ convos: [] }))
    const res = await call('chat.bsky.convo.listConvos', { headers: { 'atproto-proxy': `${fakes.chat.did}#bsky_chat` } })
    expect(res.status).toBe(200)
    expect(await body(res)).toEqual({ convos: [] })
    expect(lastCall(fakes.chat).jwt).toMatchObject({ aud: fakes.chat.did, lxm: 'chat.bsky.convo.listConvos' })
  })

  test('procedures stream their body and content headers upstream', async () => {
    fakes.appView.on('app.bsky.graph.muteActor', () => new Response(null, { status: 200 }))
    const body = JSON.stringify({ actor: 'did:plc:someone' })
    const res = await call('app.bsky.graph.muteActor', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    const got = lastCall(fakes.appView)
    expect(got.method).toBe('POST')
    expect(got.headers.get('content-type')).toBe('application/json')
    expect(new TextDecoder().decode(got.body)).toBe(body)
  })

  test('compressed responses pass through untouched', async () => {
    const json = JSON.stringify({ feed: Array.from({ length: 50 }, (_, i) => ({ i })) })
    fakes.appView.on('app.bsky.feed.getFeedSkeleton', () => new Response(Bun.gzipSync(new TextEncoder().encode(json)), { headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' } }))
    const res = await call('app.bsky.feed.getFeedSkeleton?feed=at://did:plc:x/app.bsky.feed.generator/y', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(lastCall(fakes.appView).headers.get('accept-encoding')).toBe('gzip')
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await res.arrayBuffer())))).toBe(json)
  })

  test('large responses stream: the first chunk arrives before the upstream has finished', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(97)
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    fakes.appView.on('app.bsky.feed.searchPosts', () =>
      new Response(
        new ReadableStream({
          async start(c) {
            c.enqueue(chunk)
            await released // would deadlock if the PDS buffered the whole body
            for (let i = 0; i < 7; i++) c.enqueue(chunk)
            c.close()
          },
        }),
        { headers: { 'content-type': 'application/octet-stream' } },
      ),
    )
    const res = await call('app.bsky.feed.searchPosts?q=x')
    const reader = res.body!.getReader()
    let total = (await reader.read()).value!.byteLength
    release()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
    }
    expect(total).toBe(8 * chunk.byteLength)
  })
})

describe('refusals and errors', () => {
  test('authentication is required; protected methods are never proxied', async () => {
    const anon = await call('app.bsky.feed.getTimeline', { headers: { authorization: '' } })
    expect(anon.status).toBe(401)
    const prot = await call('com.atproto.server.createAppPassword', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    expect(prot.status).toBe(400)
    expect((await body(prot)).error).toBe('InvalidToken')
  })

  test('app passwords cannot call privileged (chat) methods', async () => {
    const res = await call('chat.bsky.convo.listConvos', { headers: { authorization: 'Bearer app', 'atproto-proxy': `${fakes.chat.did}#bsky_chat` } })
    expect(res.status).toBe(400)
    expect(await body(res)).toEqual({ error: 'InvalidToken', message: 'Bad token method' })
    const ok = await call('app.bsky.feed.getTimeline', { headers: { authorization: 'Bearer app' } })
    expect(ok.status).toBe(200)
  })

  test('malformed or unresolvable atproto-proxy headers are 400s', async () => {
    for (const [header, message] of [
      ['#bsky_chat', 'no did specified in proxy header'],
      [fakes.chat.did, 'no service id specified in proxy header'],
      [`${fakes.chat.did}#a#b`, 'invalid proxy header format'],
      [`${fakes.chat.did}#nope`, 'could not resolve proxy did service url'],
    ]) {
      const res = await call('chat.bsky.convo.listConvos', { headers: { 'atproto-proxy': header! } })
      expect(res.status).toBe(400)
      expect((await body(res)).message).toBe(message!)
    }
  })

  test('methods with no service to go to are 400 "No service configured", before auth (as the reference)', async () => {
    const noModService = await call('tools.ozone.moderation.queryEvents', { headers: { authorization: '' } })
    expect(noModService.status).toBe(400)
    expect(await body(noModService)).toEqual({ error: 'InvalidRequest', message: 'No service configured for tools.ozone.moderation.queryEvents' })
    const noAppView = buildApp({ env: { PDS_BSKY_APP_VIEW_URL: '', PDS_BSKY_APP_VIEW_DID: '', PDS_REPORT_SERVICE_URL: '', PDS_REPORT_SERVICE_DID: '' } })
    const res = await noAppView('com.example.unknown.thing')
    expect(res.status).toBe(400)
    expect(await body(res)).toEqual({ error: 'InvalidRequest', message: 'No service configured for com.example.unknown.thing' })
  })

  test('methods nobody has heard of go to the AppView', async () => {
    fakes.appView.on('com.example.unknown.thing', (c) => Response.json({ got: c.url.search }))
    const res = await call('com.example.unknown.thing?x=1')
    expect(res.status).toBe(200)
    expect(await body(res)).toEqual({ got: '?x=1' })
    expect(lastCall(fakes.appView).jwt).toMatchObject({ aud: fakes.appView.did, lxm: 'com.example.unknown.thing' })
  })

  test('upstream 4xx pass through; 500 becomes 502; unreachable is 502 UpstreamFailure', async () => {
    fakes.appView.on('app.bsky.actor.searchActors', () => Response.json({ error: 'BadQueryString', message: 'nope' }, { status: 400 }))
    const r400 = await call('app.bsky.actor.searchActors?q=x')
    expect(r400.status).toBe(400)
    expect(await body(r400)).toEqual({ error: 'BadQueryString', message: 'nope' })
    fakes.appView.on('app.bsky.actor.getSuggestions', () => Response.json({ error: 'InternalServerError', message: 'boom' }, { status: 500 }))
    const r500 = await call('app.bsky.actor.getSuggestions')
    expect(r500.status).toBe(502)
    expect((await body(r500)).message).toBe('boom')
    const dead = buildApp({ env: { PDS_BSKY_APP_VIEW_URL: 'http://127.0.0.1:9', PDS_BSKY_APP_VIEW_DID: 'did:web:dead.example' } })
    const r502 = await dead('app.bsky.actor.getSuggestions')
    expect(r502.status).toBe(502)
    expect(await body(r502)).toEqual({ error: 'UpstreamFailure', message: 'Upstream service unreachable' })
  })

  test('timeouts and the response size cap', async () => {
    fakes.appView.on('app.bsky.unspecced.getPopular', async () => {
      await Bun.sleep(400)
      return Response.json({})
    })
    const slow = buildApp({ limits: { headersTimeoutMs: 100 } })
    const res = await slow('app.bsky.unspecced.getPopular')
    expect(res.status).toBe(502)
    fakes.appView.on('app.bsky.unspecced.getTaggedSuggestions', () => new Response(new Uint8Array(5000), { headers: { 'content-length': '5000' } }))
    const small = buildApp({ limits: { maxResponseBytes: 1000 } })
    const big = await small('app.bsky.unspecced.getTaggedSuggestions')
    expect(big.status).toBe(502)
    expect((await body(big)).message).toBe('Upstream response too large')
  })
})

describe('SSRF protection outside dev mode', () => {
  test('private, loopback and link-local addresses are recognised', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isPrivateAddress(ip)).toBe(true)
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) expect(isPrivateAddress(ip)).toBe(false)
  })

  test('endpoints must be https and resolve only to public addresses', async () => {
    const lookup = async (host: string) => (host === 'public.example' ? ['93.184.216.34'] : ['10.0.0.5'])
    await assertPublicEndpoint('https://public.example', lookup)
    await expect(assertPublicEndpoint('http://public.example', lookup)).rejects.toThrow('https')
    await expect(assertPublicEndpoint('https://internal.example', lookup)).rejects.toThrow('not a public address')
    await expect(assertPublicEndpoint('https://127.0.0.1', lookup)).rejects.toThrow('not a public address')
    await expect(assertPublicEndpoint('https://localhost:8080', lookup)).rejects.toThrow('not a public address')
  })

  test('a DID document pointing at loopback is refused when not in dev mode', async () => {
    const prod = buildApp({ env: { PDS_DEV_MODE: 'false' } })
    const res = await prod('chat.bsky.convo.listConvos', { headers: { 'atproto-proxy': `${fakes.chat.did}#bsky_chat` } })
    expect(res.status).toBe(400)
    expect((await body(res)).message).toBe('proxy service endpoint must use https')
  })
})
