// importRepo: a repo built by the reference library (@atproto/repo) is imported, re-signed and
// indexed; blobs its records reference are listed as missing until uploaded; bad CARs change nothing.
import { afterEach, describe, expect, test } from 'bun:test'
import { Secp256k1Keypair as AtpKeypair } from '@atproto/crypto'
import { MemoryBlockstore, Repo, WriteOpAction, blocksToCarFile, type RecordCreateOp } from '@atproto/repo'
import { CID } from 'multiformats/cid'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { cidForRaw } from '../../src/core/cbor.ts'
import { nextTid } from '../../src/core/syntax/index.ts'
import { toXrpcError } from '../../src/xrpc/error-mapper.ts'
import { exportAndVerify, repoHarness, type RepoHarness } from './repo-harness.ts'

const DID = 'did:plc:importtestaaaaaaaaaaaaaa'
let h: RepoHarness
afterEach(() => h?.close())

const streamOf = (bytes: Uint8Array) => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(bytes), c.close()) })

async function referenceRepoCar(blobBytes: Uint8Array): Promise<Uint8Array> {
  const storage = new MemoryBlockstore()
  const key = await AtpKeypair.create()
  const blobCid = CID.parse(cidForRaw(blobBytes).toString())
  const writes: RecordCreateOp[] = Array.from({ length: 40 }, (_, i) => ({
    action: WriteOpAction.Create as const,
    collection: 'app.bsky.feed.post',
    rkey: nextTid(),
    record: { $type: 'app.bsky.feed.post', text: `old ${i}`, createdAt: '2024-01-01T00:00:00.000Z' },
  }))
  writes.push({
    action: WriteOpAction.Create,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', avatar: { $type: 'blob', ref: blobCid, mimeType: 'image/png', size: blobBytes.length } } as any,
  })
  const repo = await Repo.create(storage, DID, key, writes)
  return blocksToCarFile(repo.cid, (storage as unknown as { blocks: Parameters<typeof blocksToCarFile>[1] }).blocks)
}

describe('importRepo', () => {
  test('imports, re-signs, indexes; missing blobs until uploaded', async () => {
    h = repoHarness()
    await h.repo.createRepo(DID, Secp256k1Keypair.create())
    await h.repo.applyWrites(DID, [{ action: 'create', collection: 'com.example.before', rkey: 'x', value: { a: 1 } }])
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
    const car = await referenceRepoCar(png)
    await h.repo.importRepo(DID, streamOf(car), 10_000_000)
    const verified = await exportAndVerify(h.repo, DID)
    expect(verified.creates.length).toBe(41)
    expect(h.repo.getRecord(DID, 'com.example.before', 'x')).toBeNull()
    expect(h.repo.listRecords(DID, 'app.bsky.feed.post', { limit: 100 }).records.length).toBe(40)
    const missing = h.repo.listMissingBlobs(DID, { limit: 10 })
    expect(missing).toEqual([{ cid: cidForRaw(png).toString(), recordUri: `at://${DID}/app.bsky.actor.profile/self` }])
    await h.repo.uploadBlob(DID, { encoding: 'image/png', body: streamOf(png) })
    expect(h.repo.listMissingBlobs(DID, { limit: 10 })).toEqual([])
    expect(h.repo.getBlobStream(DID, cidForRaw(png).toString())).not.toBeNull()
    // Writes continue on top of the imported repo.
    await h.repo.applyWrites(DID, [{ action: 'create', collection: 'com.example.after', rkey: 'y', value: { b: 2 } }])
    expect((await exportAndVerify(h.repo, DID)).creates.length).toBe(42)
  })

  test('malformed, truncated, foreign or oversized CARs are rejected and change nothing', async () => {
    h = repoHarness()
    await h.repo.createRepo(DID, Secp256k1Keypair.create())
    await h.repo.applyWrites(DID, [{ action: 'create', collection: 'com.example.before', rkey: 'x', value: { a: 1 } }])
    const root = h.repo.getRepoRoot(DID)!.cid.toString()
    const car = await referenceRepoCar(new Uint8Array([1, 2, 3]))
    await expect(h.repo.importRepo(DID, streamOf(car.slice(0, car.length - 10)), 10_000_000)).rejects.toThrow(/truncated/)
    await expect(h.repo.importRepo(DID, streamOf(new Uint8Array([1, 2, 3, 4])), 10_000_000)).rejects.toThrow()
    // The domain error reaches the client as 413 through the edge's one mapper.
    expect(toXrpcError(await h.repo.importRepo(DID, streamOf(car), 100).catch((err) => err))).toMatchObject({ status: 413 })
    const other = repoHarness()
    try {
      await other.repo.createRepo('did:plc:someoneelseaaaaaaaaaaaaa', Secp256k1Keypair.create())
      const { carToBytes } = await import('../../src/core/car.ts')
      const foreign = carToBytes(other.repo.getRepoRoot('did:plc:someoneelseaaaaaaaaaaaaa')!.cid, other.repo.exportBlocks('did:plc:someoneelseaaaaaaaaaaaaa'))
      await expect(h.repo.importRepo(DID, streamOf(foreign), 10_000_000)).rejects.toThrow(/expected/)
    } finally {
      other.close()
    }
    expect(h.repo.getRepoRoot(DID)!.cid.toString()).toBe(root)
    expect(h.repo.getRecord(DID, 'com.example.before', 'x')).not.toBeNull()
  })
})
