// Methods without a local handler, end to end as the reference's pipethrough: each namespace's default
// service, unknown NSIDs to the AppView, auth before anything leaves, upstream errors as the upstream
// said them, and big answers byte for byte. The fakes check every service JWT against the test PLC.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash, randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { AtpAgent } from '@atproto/api'
import { SimpleDidResolver, didKeyResolver } from '../helpers/did-resolver.ts'
import { startFakeServices, type FakeService } from '../helpers/fake-services.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

const MAX_RESPONSE = 8 * 1024 * 1024
let plc: TestPlc
let server: TestServer
let fakes: ReturnType<typeof startFakeServices>
let alice: AtpAgent
let did: string
let auth: Record<string, string>

beforeAll(async () => {
  plc = await startPlcDirectory()
  fakes = startFakeServices(didKeyResolver(new SimpleDidResolver({ plcUrl: plc.url, allowHttpWeb: true })))
  server = await startTestServer({
    PDS_DID_PLC_URL: plc.url,
    ...fakes.env,
    PDS_CHAT_SERVICE_URL: fakes.chat.url,
    PDS_CHAT_SERVICE_DID: fakes.chat.did,
    PDS_MOD_SERVICE_URL: fakes.ozone.url,
    PDS_MOD_SERVICE_DID: fakes.ozone.did,
    PDS_PROXY_MAX_RESPONSE_SIZE: String(MAX_RESPONSE),
  })
  alice = new AtpAgent({ service: server.url })
  const res = await alice.createAccount({ email: 'alice@example.com', handle: 'alice.test', password: 'alice-pass' })
  did = res.data.did
  auth = { authorization: `Bearer ${res.data.accessJwt}` }
})

afterAll(async () => {
  await server.close()
  await plc.close()
  fakes.close()
})

const xrpc = (path: string, init: RequestInit = {}) => fetch(`${server.url}/xrpc/${path}`, init)
const lastJwt = (svc: FakeService) => svc.calls.at(-1)!.jwt

describe('default services by namespace', () => {
  test('chat.bsky.* → the chat service, tools.ozone.* → the moderation service, each JWT to the bare DID', async () => {
    fakes.chat.on('chat.bsky.convo.listConvos', () => Response.json({ convos: [] }))
    const chat = await alice.chat.bsky.convo.listConvos()
    expect(chat.data.convos).toEqual([])
    expect(lastJwt(fakes.chat)).toMatchObject({ iss: did, aud: fakes.chat.did, lxm: 'chat.bsky.convo.listConvos' })
    fakes.ozone.on('tools.ozone.moderation.queryStatuses', () => Response.json({ subjectStatuses: [] }))
    const ozone = await xrpc('tools.ozone.moderation.queryStatuses', { headers: auth })
    expect(ozone.status).toBe(200)
    expect(lastJwt(fakes.ozone)).toMatchObject({ iss: did, aud: fakes.ozone.did, lxm: 'tools.ozone.moderation.queryStatuses' })
  })

  test('atproto-proxy with a #fragment still signs for the bare DID', async () => {
    fakes.ozone.on('tools.ozone.team.listMembers', () => Response.json({ members: [] }))
    const res = await xrpc('tools.ozone.team.listMembers', { headers: { ...auth, 'atproto-proxy': `${fakes.ozone.did}#atproto_labeler` } })
    expect(res.status).toBe(200)
    expect(lastJwt(fakes.ozone)!.aud).toBe(fakes.ozone.did)
  })

  test("a third-party app's methods (com.example.*) go to the AppView: queries and procedures with their body", async () => {
    fakes.appView.on('com.example.feed.getThings', (c) => Response.json({ query: c.url.search }))
    const q = await xrpc('com.example.feed.getThings?limit=3', { headers: auth })
    expect(q.status).toBe(200)
    expect(await q.json()).toEqual({ query: '?limit=3' })
    expect(lastJwt(fakes.appView)).toMatchObject({ iss: did, aud: fakes.appView.did, lxm: 'com.example.feed.getThings' })
    fakes.appView.on('com.example.feed.doThing', (c) => Response.json({ echoed: new TextDecoder().decode(c.body) }))
    const p = await xrpc('com.example.feed.doThing', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"a":1}' })
    expect(await p.json()).toEqual({ echoed: '{"a":1}' })
  })

  test('without credentials: 401 AuthMissing, and nothing reaches the upstream', async () => {
    const before = fakes.appView.calls.length + fakes.chat.calls.length + fakes.ozone.calls.length
    for (const nsid of ['com.example.feed.getThings', 'chat.bsky.convo.listConvos', 'tools.ozone.moderation.queryStatuses', 'app.bsky.feed.getTimeline']) {
      const res = await xrpc(nsid)
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ error: 'AuthMissing', message: 'Authentication Required' })
    }
    expect(fakes.appView.calls.length + fakes.chat.calls.length + fakes.ozone.calls.length).toBe(before)
  })
})

describe('upstream answers', () => {
  test("errors keep the upstream's status, name and message; 500 becomes 502 with the upstream's error", async () => {
    const cases: Array<[number, object, number, object]> = [
      [400, { error: 'BadCursor', message: 'cursor is stale' }, 400, { error: 'BadCursor', message: 'cursor is stale' }],
      [401, { error: 'BadJwtSignature', message: 'who are you' }, 401, { error: 'BadJwtSignature', message: 'who are you' }],
      [404, { error: 'NotFound', message: 'no such thing' }, 404, { error: 'NotFound', message: 'no such thing' }],
      [429, { error: 'RateLimitExceeded', message: 'slow down' }, 429, { error: 'RateLimitExceeded', message: 'slow down' }],
      [500, { error: 'DatabaseOnFire', message: 'boom' }, 502, { error: 'DatabaseOnFire', message: 'boom' }],
      [503, { error: 'Overloaded', message: 'later' }, 503, { error: 'Overloaded', message: 'later' }],
    ]
    for (const [status, upstreamBody, expected, answer] of cases) {
      fakes.appView.on('com.example.err.get', () => Response.json(upstreamBody, { status, headers: { 'retry-after': '7' } }))
      const res = await xrpc('com.example.err.get', { headers: auth })
      expect(res.status).toBe(expected)
      expect(await res.json()).toEqual(answer)
      expect(res.headers.get('retry-after')).toBe('7')
    }
    fakes.appView.on('com.example.err.get', () => new Response('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }))
    const html = await xrpc('com.example.err.get', { headers: auth })
    expect(html.status).toBe(502)
    expect(await html.json()).toEqual({ error: 'UpstreamFailure', message: 'Upstream Failure' })
    // A compressed error body (the client's accept-encoding went upstream) is still read.
    fakes.appView.on('com.example.err.get', () =>
      new Response(new Uint8Array(gzipSync(JSON.stringify({ error: 'Compressed', message: 'still readable' }))), {
        status: 400,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      }),
    )
    const gz = await xrpc('com.example.err.get', { headers: { ...auth, 'accept-encoding': 'gzip' } })
    expect(gz.status).toBe(400)
    expect(await gz.json()).toEqual({ error: 'Compressed', message: 'still readable' })
    // A huge error body without a declared length is not buffered: the default name stands.
    fakes.appView.on('com.example.err.get', () =>
      new Response(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(`{"error":"Big","message":"${'x'.repeat(1024 * 1024)}"}`)), c.close()) }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      }),
    )
    const huge = await xrpc('com.example.err.get', { headers: auth })
    expect(huge.status).toBe(400)
    expect(await huge.json()).toEqual({ error: 'InvalidRequest', message: 'Invalid Request' })
  })

  test('the official client sees the upstream error name', async () => {
    fakes.appView.on('app.bsky.actor.getSuggestions', () => Response.json({ error: 'NotEnoughFollows', message: 'follow more people' }, { status: 400 }))
    const err = await alice.app.bsky.actor.getSuggestions().catch((e) => e)
    expect(err.status).toBe(400)
    expect(err.error).toBe('NotEnoughFollows')
    expect(err.message).toBe('follow more people')
  })

  test('a several-MB answer streams through byte for byte; one over PDS_PROXY_MAX_RESPONSE_SIZE is a 502', async () => {
    const big = randomBytes(6 * 1024 * 1024 + 123)
    fakes.appView.on('com.example.blob.get', () => new Response(big, { headers: { 'content-type': 'application/octet-stream' } }))
    const res = await xrpc('com.example.blob.get', { headers: auth })
    expect(res.status).toBe(200)
    const got = new Uint8Array(await res.arrayBuffer())
    expect(got.byteLength).toBe(big.byteLength)
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'))
    const tooBig = randomBytes(MAX_RESPONSE + 1)
    fakes.appView.on('com.example.blob.get', () => new Response(tooBig, { headers: { 'content-type': 'application/octet-stream' } }))
    const refused = await xrpc('com.example.blob.get', { headers: auth })
    expect(refused.status).toBe(502)
    expect(await refused.json()).toEqual({ error: 'UpstreamFailure', message: 'Upstream response too large' })
  })
})

describe('account status', () => {
  test('a deactivated account still reaches the AppView through the proxy, as the reference (its pipethrough checks no status)', async () => {
    const bob = new AtpAgent({ service: server.url })
    const res = await bob.createAccount({ email: 'bob@example.com', handle: 'bob.test', password: 'bob-pass' })
    await bob.com.atproto.server.deactivateAccount({})
    fakes.appView.on('com.example.deactivated.ping', () => Response.json({ pong: true }))
    const proxied = await xrpc('com.example.deactivated.ping', { headers: { authorization: `Bearer ${res.data.accessJwt}` } })
    expect(proxied.status).toBe(200)
    expect(await proxied.json()).toEqual({ pong: true })
    expect(lastJwt(fakes.appView)).toMatchObject({ iss: res.data.did, lxm: 'com.example.deactivated.ping' })
    // Local writes stay refused for it.
    const write = await xrpc('com.atproto.repo.createRecord', {
      method: 'POST',
      headers: { authorization: `Bearer ${res.data.accessJwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ repo: res.data.did, collection: 'app.bsky.feed.post', record: { text: 'x', createdAt: new Date().toISOString() } }),
    })
    expect(((await write.json()) as { error: string }).error).toBe('AccountDeactivated')
  })
})
