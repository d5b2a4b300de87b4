// Other servers' records and accounts for the moderation views (src/services/moderation/remote.ts), against a
// fake PDS speaking com.atproto.repo.getRecord/describeRepo: found, gone, slow, failing, oversized, refused
// (SSRF), cached for a while and bounded. The real exchange with the reference PDS is in
// test/interop/moderation-reference.test.ts.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { RemoteSubjects, type RemoteOptions } from '../../src/services/moderation/remote.ts'
import type { DidDocument } from '../../src/core/did-doc.ts'

const DID = 'did:plc:remoteremoteremoteremote'
const POST = { uri: `at://${DID}/app.bsky.feed.post/3abc`, cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm', value: { $type: 'app.bsky.feed.post', text: 'hello', createdAt: '2026-01-01T00:00:00.000Z' } }

type Mode = 'ok' | 'missing' | 'hang' | 'error' | 'huge' | 'garbage'
let mode: Mode = 'ok'
const hits: string[] = []
let server: ReturnType<typeof Bun.serve>
let pds: string

beforeAll(() => {
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      hits.push(`${url.pathname.slice(6)} ${url.searchParams.get('rkey') ?? url.searchParams.get('repo')}`)
      if (mode === 'hang') return new Promise<Response>(() => {})
      if (mode === 'error') return Response.json({ error: 'InternalServerError' }, { status: 500 })
      if (mode === 'missing') return Response.json({ error: 'RecordNotFound', message: 'Could not locate record' }, { status: 400 })
      if (mode === 'huge') return new Response(JSON.stringify({ ...POST, value: { ...POST.value, text: 'x'.repeat(4096) } }), { headers: { 'content-type': 'application/json' } })
      if (mode === 'garbage') return new Response('<html>not json</html>', { headers: { 'content-type': 'text/html' } })
      if (url.pathname === '/xrpc/com.atproto.repo.describeRepo') return Response.json({ did: DID, handle: 'far.example', handleIsCorrect: true, collections: [] })
      if (url.searchParams.get('rkey') === 'self') return Response.json({ uri: `at://${DID}/app.bsky.actor.profile/self`, cid: POST.cid, value: { $type: 'app.bsky.actor.profile', displayName: 'Far' } })
      return Response.json(POST)
    },
  })
  pds = `http://127.0.0.1:${server.port}`
})

afterAll(() => server.stop(true))

const docFor = (endpoint: string): DidDocument => ({
  id: DID,
  alsoKnownAs: ['at://far.example'],
  verificationMethod: [],
  service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: endpoint }],
}) as unknown as DidDocument

function remote(opts: Partial<RemoteOptions> = {}) {
  let now = 0
  const r = new RemoteSubjects({ resolveDid: async (did) => (did === DID ? docFor(pds) : null), devMode: true, timeoutMs: 300, now: () => now, ...opts })
  return { r, advance: (ms: number) => (now += ms) }
}

const reset = (m: Mode) => {
  mode = m
  hits.length = 0
}

test('a record and an account as their PDS serves them, reused until the cache entry ages out', async () => {
  reset('ok')
  const { r, advance } = remote({ ttlMs: 1000 })
  expect(await r.record(DID, 'app.bsky.feed.post', '3abc')).toEqual({ cid: POST.cid, value: POST.value, pds })
  expect(await r.repo(DID)).toEqual({ handle: 'far.example', profile: { $type: 'app.bsky.actor.profile', displayName: 'Far' }, pds })
  await r.record(DID, 'app.bsky.feed.post', '3abc')
  await r.repo(DID)
  expect(hits.sort()).toEqual(['com.atproto.repo.describeRepo did:plc:remoteremoteremoteremote', 'com.atproto.repo.getRecord 3abc', 'com.atproto.repo.getRecord self'])
  advance(1001)
  reset('missing') // deleted meanwhile
  expect(await r.record(DID, 'app.bsky.feed.post', '3abc')).toBeNull()
  expect(hits).toEqual(['com.atproto.repo.getRecord 3abc'])
})

test('the cache is bounded: the oldest entry goes first', async () => {
  reset('ok')
  const { r } = remote({ maxEntries: 2 })
  for (const rkey of ['a', 'b', 'c', 'a']) await r.record(DID, 'app.bsky.feed.post', rkey)
  expect(hits).toEqual(['a', 'b', 'c', 'a'].map((k) => `com.atproto.repo.getRecord ${k}`))
})

test('gone, failing, slow, oversized or garbled answers are "not found", never an error', async () => {
  for (const m of ['missing', 'error', 'huge', 'garbage'] as const) {
    reset(m)
    const { r } = remote({ maxBytes: 2048 })
    expect(await r.record(DID, 'app.bsky.feed.post', '3abc')).toBeNull()
    expect(await r.repo(DID)).toBeNull()
  }
  reset('hang')
  const { r } = remote({ timeoutMs: 200 })
  const started = performance.now()
  expect(await r.record(DID, 'app.bsky.feed.post', '3abc')).toBeNull()
  expect(performance.now() - started).toBeLessThan(2000)
  // No PDS in the document, or a DID that does not resolve.
  expect(await r.record('did:plc:nobodynobodynobodynobody', 'app.bsky.feed.post', '3abc')).toBeNull()
  const bare = new RemoteSubjects({ resolveDid: async () => ({ ...docFor(pds), service: [] }) as unknown as DidDocument, devMode: true })
  expect(await bare.repo(DID)).toBeNull()
})

test('a host that keeps failing is left alone for a while (circuit breaker), then tried again', async () => {
  reset('error')
  const { r, advance } = remote({ ttlMs: 0 })
  for (const rkey of ['1', '2', '3', '4', '5']) expect(await r.record(DID, 'app.bsky.feed.post', rkey)).toBeNull()
  expect(hits).toEqual(['1', '2', '3'].map((k) => `com.atproto.repo.getRecord ${k}`))
  advance(30_000)
  reset('ok')
  expect(await r.record(DID, 'app.bsky.feed.post', '6')).toMatchObject({ cid: POST.cid })
  expect(hits).toEqual(['com.atproto.repo.getRecord 6'])
})

test('outside dev mode an endpoint from a DID document must be a public https host: loopback is never asked', async () => {
  reset('ok')
  const { r } = remote({ devMode: false })
  expect(await r.record(DID, 'app.bsky.feed.post', '3abc')).toBeNull()
  const https = new RemoteSubjects({ resolveDid: async () => docFor(`https://127.0.0.1:${server.port}`), devMode: false })
  expect(await https.record(DID, 'app.bsky.feed.post', '3abc')).toBeNull()
  expect(hits).toEqual([])
})
