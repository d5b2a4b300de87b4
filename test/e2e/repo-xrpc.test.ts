// The repo handlers over HTTP, with a stand-in verifier (access tokens for a fixed DID) so they
// can be exercised before and independently of account creation.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStandInRepoServer, type TestServer } from '../helpers/server.ts'
import { carToBytes } from '../../src/core/car.ts'
import { verifyRepoCar } from '@atproto/repo'

const DID = 'did:plc:repoxrpctestaaaaaaaaaaaa'
let server: TestServer

beforeAll(async () => {
  server = await startStandInRepoServer(DID)
})
afterAll(() => server?.close())

async function call(nsid: string, body?: unknown, params?: Record<string, string>) {
  const url = new URL(`/xrpc/${nsid}`, server.url)
  for (const [k, v] of Object.entries(params ?? {})) url.searchParams.set(k, v)
  const res = await fetch(url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

const createdAt = () => new Date().toISOString()

describe('repo XRPC', () => {
  test('createRecord / getRecord / putRecord / deleteRecord', async () => {
    const created = await call('com.atproto.repo.createRecord', {
      repo: DID,
      collection: 'app.bsky.feed.post',
      record: { text: 'hi', createdAt: createdAt() },
    })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ validationStatus: 'valid', commit: { cid: expect.any(String), rev: expect.any(String) } })
    const rkey = created.body.uri.split('/').pop()
    const got = await call('com.atproto.repo.getRecord', undefined, { repo: DID, collection: 'app.bsky.feed.post', rkey })
    expect(got.body).toEqual({ uri: created.body.uri, cid: created.body.cid, value: expect.objectContaining({ text: 'hi' }) })

    const put = await call('com.atproto.repo.putRecord', { repo: DID, collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'A' } })
    expect(put.status).toBe(200)
    const same = await call('com.atproto.repo.putRecord', { repo: DID, collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'A' } })
    expect(same.body.commit).toBeUndefined()
    const swapFail = await call('com.atproto.repo.putRecord', {
      repo: DID, collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'B' }, swapRecord: null,
    })
    expect(swapFail).toMatchObject({ status: 400, body: { error: 'InvalidSwap' } })

    const del = await call('com.atproto.repo.deleteRecord', { repo: DID, collection: 'app.bsky.feed.post', rkey })
    expect(del.status).toBe(200)
    const gone = await call('com.atproto.repo.getRecord', undefined, { repo: DID, collection: 'app.bsky.feed.post', rkey })
    expect(gone).toMatchObject({ status: 400, body: { error: 'RecordNotFound' } })
    const noop = await call('com.atproto.repo.deleteRecord', { repo: DID, collection: 'app.bsky.feed.post', rkey })
    expect(noop).toEqual({ status: 200, body: {} })
  })

  test('bad input gets the reference errors and leaves the repo unchanged', async () => {
    const before = server.services.repo.getRepoRoot(DID)!.cid.toString()
    const cases: Array<[unknown, RegExp]> = [
      [{ repo: DID, collection: 'app.bsky.feed.post', record: { text: 'x' } }, /Invalid app.bsky.feed.post record/],
      [{ repo: DID, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.like', text: 'x' } }, /Invalid \$type/],
      [{ repo: DID, collection: 'com.example.x', validate: true, record: { a: 1 } }, /Unknown lexicon type/],
      [{ repo: DID, collection: 'app.bsky.feed.post', rkey: '..', record: { text: 'x', createdAt: createdAt() } }, /Invalid record key|rkey/],
      [{ repo: 'did:plc:someoneelseaaaaaaaaaaaaa', collection: 'app.bsky.feed.post', record: { text: 'x', createdAt: createdAt() } }, /Could not find repo/],
    ]
    for (const [body, message] of cases) {
      const res = await call('com.atproto.repo.createRecord', body)
      expect(res.status).toBe(400)
      expect(res.body.message).toMatch(message)
    }
    const blobRef = { $type: 'blob', ref: { $link: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy' }, mimeType: 'image/png', size: 10 }
    const missingBlob = await call('com.atproto.repo.createRecord', {
      repo: DID, collection: 'app.bsky.feed.post',
      record: { text: 'x', createdAt: createdAt(), embed: { $type: 'app.bsky.embed.images', images: [{ image: blobRef, alt: '' }] } },
    })
    expect(missingBlob).toMatchObject({ status: 400, body: { error: 'BlobNotFound' } })
    const big = await call('com.atproto.repo.createRecord', { repo: DID, collection: 'com.example.big', record: { s: 'x'.repeat(200_000) } })
    expect(big.status).toBe(413)
    const tooMany = await call('com.atproto.repo.applyWrites', {
      repo: DID,
      writes: Array.from({ length: 201 }, (_, i) => ({ $type: 'com.atproto.repo.applyWrites#delete', collection: 'com.example.x', rkey: `k${i}` })),
    })
    expect(tooMany).toMatchObject({ status: 400, body: { message: 'Too many writes. Max: 200' } })
    expect(server.services.repo.getRepoRoot(DID)!.cid.toString()).toBe(before)
  })

  test('applyWrites, listRecords, describeRepo, export verifies', async () => {
    const writes = Array.from({ length: 30 }, (_, i) => ({
      $type: 'com.atproto.repo.applyWrites#create', collection: 'com.example.item', rkey: `item${String(i).padStart(2, '0')}`, value: { i },
    }))
    const res = await call('com.atproto.repo.applyWrites', { repo: DID, writes })
    expect(res.status).toBe(200)
    expect(res.body.results[0]).toMatchObject({ $type: 'com.atproto.repo.applyWrites#createResult', validationStatus: 'unknown' })
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await call('com.atproto.repo.listRecords', undefined, { repo: DID, collection: 'com.example.item', limit: '7', ...(cursor ? { cursor } : {}) })
      seen.push(...page.body.records.map((r: { uri: string }) => r.uri.split('/').pop()))
      cursor = page.body.records.length ? page.body.cursor : undefined
    } while (cursor)
    expect(seen).toEqual(writes.map((w) => w.rkey).reverse())
    const described = await call('com.atproto.repo.describeRepo', undefined, { repo: DID })
    expect(described.body.collections).toEqual(['app.bsky.actor.profile', 'com.example.item'])
    const root = server.services.repo.getRepoRoot(DID)!
    const car = carToBytes(root.cid, server.services.repo.exportBlocks(DID))
    const verified = await verifyRepoCar(car, DID, server.services.repo.signingKey(DID).did())
    expect(verified.creates.length).toBe(31)
  })

  test('preferences', async () => {
    const prefs = [
      { $type: 'app.bsky.actor.defs#adultContentPref', enabled: true },
      { $type: 'app.bsky.actor.defs#personalDetailsPref', birthDate: '2000-01-01T00:00:00.000Z' },
    ]
    expect((await call('app.bsky.actor.putPreferences', { preferences: prefs })).status).toBe(200)
    const got = await call('app.bsky.actor.getPreferences')
    expect(got.body.preferences).toEqual([...prefs, { $type: 'app.bsky.actor.defs#declaredAgePref', isOverAge13: true, isOverAge16: true, isOverAge18: true }])
    const wrongNs = await call('app.bsky.actor.putPreferences', { preferences: [{ $type: 'com.example.pref' }] })
    expect(wrongNs).toMatchObject({ status: 400, body: { message: 'Some preferences are not in the app.bsky namespace' } })
  })
  test('records nested deeper than 128 levels are refused as invalid records; 128 levels are fine', async () => {
    // Objects and arrays alternate; each is one level.
    const nest = (levels: number) => {
      let value: unknown = { leaf: true }
      for (let i = 1; i < levels; i++) value = i % 2 ? [value] : { o: value }
      return value
    }
    const depth = (v: unknown): number => (v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0)
    const ok = { d: nest(127) }
    expect(depth(ok)).toBe(128)
    const okRes = await call('com.atproto.repo.createRecord', { repo: DID, collection: 'com.example.deep', record: ok })
    expect(okRes.status).toBe(200)
    const tooDeep = { d: nest(128) }
    expect(depth(tooDeep)).toBe(129)
    const before = server.services.repo.getRepoRoot(DID)!.cid.toString()
    for (const nsid of ['com.atproto.repo.createRecord', 'com.atproto.repo.putRecord']) {
      const res = await call(nsid, { repo: DID, collection: 'com.example.deep', rkey: 'deep', record: tooDeep })
      // InvalidRecordError answers InvalidRequest, as the reference's createRecord maps it.
      expect(res).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Record nests deeper than 128 levels' } })
    }
    // Far deeper (what a fuzzer sends): still a clean 400, never a crash.
    const abyss = JSON.parse('{"a":'.repeat(5000) + '1' + '}'.repeat(5000))
    const res = await call('com.atproto.repo.createRecord', { repo: DID, collection: 'com.example.deep', record: abyss })
    expect(res).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
    expect(server.services.repo.getRepoRoot(DID)!.cid.toString()).toBe(before)
  })
})
