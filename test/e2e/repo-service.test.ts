import { afterEach, describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { CID } from '../../src/core/cbor.ts'
import { readRecord, readRecordPage } from '../../src/services/repo/reads.ts'
import { exportAndVerify, repoHarness, type RepoHarness } from './repo-harness.ts'

const DID = 'did:plc:abcdefghijklmnopqrstuvwx'
const now = () => new Date().toISOString()
const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: now() })

let h: RepoHarness
afterEach(() => h?.close())

async function setup() {
  h = repoHarness()
  await h.repo.createRepo(DID, Secp256k1Keypair.create())
  return h.repo
}

describe('repo service', () => {
  test('create repo, write, read back, export verifies', async () => {
    const repo = await setup()
    const res = await repo.applyWrites(DID, [
      { action: 'create', collection: 'app.bsky.feed.post', value: post('hello') },
      { action: 'create', collection: 'app.bsky.actor.profile', rkey: 'self', value: { displayName: 'Al' } },
      { action: 'create', collection: 'com.example.thing', rkey: 'a', value: { anything: 1 } },
    ])
    expect(res.results.map((r) => r.validationStatus)).toEqual(['valid', 'valid', 'unknown'])
    expect(res.commit.rev).toBe(repo.getRepoRoot(DID)!.rev)
    const rkey = res.results[0]!.uri!.split('/').pop()!
    const got = readRecord(repo.db(DID), 'app.bsky.feed.post', rkey)
    expect(got?.value).toMatchObject({ text: 'hello', $type: 'app.bsky.feed.post' })
    expect(got?.cid).toBe(res.results[0]!.cid!)
    const verified = await exportAndVerify(repo, DID)
    expect(verified.creates.length).toBe(3)
    expect(h.commits.length).toBe(1)
    expect(h.commits[0]!.ops.length).toBe(3)
  })

  test('validation rules as the reference', async () => {
    const repo = await setup()
    const bad = (value: unknown, collection = 'app.bsky.feed.post', validate?: boolean, rkey?: string) =>
      repo.applyWrites(DID, [{ action: 'create', collection, rkey, value }], { validate })
    await expect(bad({ text: 'x' })).rejects.toThrow(/Invalid app.bsky.feed.post record/)
    await expect(bad({ $type: 'app.bsky.feed.like', text: 'x', createdAt: now() })).rejects.toThrow(/Invalid \$type/)
    await expect(bad({ a: 1 }, 'com.example.x', true)).rejects.toThrow(/Unknown lexicon type/)
    await expect(bad(post('x'), 'app.bsky.feed.post', undefined, 'bad key!')).rejects.toThrow(/Invalid record key/)
    await expect(bad({ displayName: 'x' }, 'app.bsky.actor.profile', undefined, 'notself')).rejects.toThrow(/Invalid record key for/)
    const ok = await bad({ text: 'no createdAt' }, 'app.bsky.feed.post', false)
    expect(ok.results[0]!.validationStatus).toBeUndefined()
    expect(repo.db(DID).countRecords()).toBe(1)
    await exportAndVerify(repo, DID)
  })

  test('swapCommit and swapRecord', async () => {
    const repo = await setup()
    const first = await repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', rkey: '3jzfcijpj2z2a', value: post('a') }])
    await repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post('b') }])
    await expect(
      repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post('c') }], { swapCommit: CID.parse(first.commit.cid) }),
    ).rejects.toThrow(/Commit was at/)
    const w = repo.prepare(DID, { action: 'delete', collection: 'app.bsky.feed.post', rkey: '3jzfcijpj2z2a' }, undefined, null)
    await expect(repo.commitWrites(DID, [w])).rejects.toThrow(/Record was at/)
    const ok = repo.prepare(DID, { action: 'delete', collection: 'app.bsky.feed.post', rkey: '3jzfcijpj2z2a' }, undefined, CID.parse(first.results[0]!.cid!))
    expect(await repo.commitWrites(DID, [ok])).not.toBeNull()
    expect(repo.db(DID).countRecords()).toBe(1)
    await exportAndVerify(repo, DID)
  })

  test('concurrent writers are serialised; swapCommit races lose cleanly', async () => {
    const repo = await setup()
    const root = repo.getRepoRoot(DID)!
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post(`p${i}`) }], { swapCommit: root.cid }),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1)
    await Promise.all(Array.from({ length: 20 }, (_, i) => repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post(`q${i}`) }])))
    expect(repo.db(DID).countRecords()).toBe(21)
    expect((await exportAndVerify(repo, DID)).creates.length).toBe(21)
  })

  test('createRecord dedupe of likes, pagination, identical records sharing a block', async () => {
    const repo = await setup()
    const subject = { uri: `at://${DID}/app.bsky.feed.post/3jzfcijpj2z2a`, cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm' }
    const like = { $type: 'app.bsky.feed.like', subject, createdAt: '2024-01-01T00:00:00.000Z' }
    const l1 = repo.prepare(DID, { action: 'create', collection: 'app.bsky.feed.like', value: like })
    await repo.commitWrites(DID, [l1], { dedupeBacklinks: true })
    const l2 = repo.prepare(DID, { action: 'create', collection: 'app.bsky.feed.like', value: like })
    await repo.commitWrites(DID, [l2], { dedupeBacklinks: true })
    expect(readRecordPage(repo.db(DID), 'app.bsky.feed.like', { limit: 10 }).records.map((r) => r.uri)).toEqual([
      (l2 as { uri: string }).uri,
    ])
    // Same content under many keys: deleting one must not drop the shared block.
    for (let i = 0; i < 5; i++) await repo.applyWrites(DID, [{ action: 'create', collection: 'com.example.same', rkey: `k${i}`, value: { v: 1 } }])
    await repo.applyWrites(DID, [{ action: 'delete', collection: 'com.example.same', rkey: 'k2' }])
    const page1 = readRecordPage(repo.db(DID), 'com.example.same', { limit: 2 })
    expect(page1.records.map((r) => r.uri.split('/').pop())).toEqual(['k4', 'k3'])
    const page2 = readRecordPage(repo.db(DID), 'com.example.same', { limit: 2, cursor: page1.cursor })
    expect(page2.records.map((r) => r.uri.split('/').pop())).toEqual(['k1', 'k0'])
    const rev = readRecordPage(repo.db(DID), 'com.example.same', { limit: 10, reverse: true })
    expect(rev.records.map((r) => r.uri.split('/').pop())).toEqual(['k0', 'k1', 'k3', 'k4'])
    expect((await exportAndVerify(repo, DID)).creates.length).toBe(5)
  })
})
