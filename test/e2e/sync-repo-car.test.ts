// The full-repo CAR of getRepo, streamed straight from repo_block: it verifies with @atproto/repo,
// holds the same blocks as the MST walk, and keeps one snapshot while writes land mid-download.
import { afterEach, expect, test } from 'bun:test'
import { verifyRepoCar } from '@atproto/repo'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { CID } from '../../src/core/cbor.ts'
import { carToBytes, readCar } from '../../src/core/car.ts'
import { cidStringToBytes, fullRepoCar } from '../../src/storage/actor/repo-car.ts'
import { repoHarness, type RepoHarness } from './repo-harness.ts'

const DID = 'did:plc:abcdefghijklmnopqrstuvwx'
let h: RepoHarness | undefined
afterEach(() => h?.close())

const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() })

async function repoWith(records: number) {
  h = repoHarness()
  await h.repo.createRepo(DID, Secp256k1Keypair.create())
  for (let i = 0; i < records; i += 200) {
    const writes = Array.from({ length: Math.min(200, records - i) }, (_, j) => ({
      action: 'create' as const,
      collection: 'app.bsky.feed.post',
      value: post(`record ${i + j} ${'y'.repeat(j % 300)}`),
    }))
    await h.repo.applyWrites(DID, writes)
  }
  return h.repo
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks))
}

/** The export's chunks, each copied as it comes: a chunk is only valid until the next one is pulled. */
function collect(chunks: Iterable<Uint8Array>): Uint8Array[] {
  return Array.from(chunks, (chunk) => chunk.slice())
}

test('cidStringToBytes decodes base32 CIDs like the CID parser', () => {
  for (const text of [
    'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
    'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
  ]) {
    expect([...cidStringToBytes(text)]).toEqual([...CID.parse(text).bytes])
  }
})

test('the streamed CAR verifies and holds exactly the blocks of the MST walk', async () => {
  const repo = await repoWith(1500)
  const root = repo.getRepoRoot(DID)!
  const chunks = collect(fullRepoCar(repo.actors.location(DID).dbLocation)!)
  // Packed into ~64 KB chunks, never one buffer per block.
  expect(chunks.length).toBeGreaterThan(1)
  for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThan(60 * 1024)
  const car = concat(chunks)
  const verified = await verifyRepoCar(car, DID, repo.signingKey(DID).did())
  expect(verified.creates.length).toBe(1500)
  expect(verified.commit.rev).toBe(root.rev)
  const streamed = readCar(car)
  expect(streamed.roots[0]!.equals(root.cid)).toBe(true)
  const walked = new Set([...repo.exportBlocks(DID)].map((b) => b.cid.toString()))
  expect(new Set(streamed.blocks.keys())).toEqual(walked)
})

test('the export is repo_block in table order, byte for byte, across pages and with a block larger than a chunk', async () => {
  const repo = await repoWith(700)
  await repo.applyWrites(DID, [{ action: 'create', collection: 'com.example.big', value: { $type: 'com.example.big', text: 'z'.repeat(100_000) } }])
  const root = repo.getRepoRoot(DID)!
  const rows = repo.db(DID).db.query<{ cid: string; content: Uint8Array }, []>('SELECT cid, content FROM repo_block ORDER BY rowid').all()
  expect(rows.length).toBeGreaterThan(3 * 256)
  expect(rows.some((row) => row.content.length > 64 * 1024)).toBe(true)
  const expected = carToBytes(root.cid, rows.map((row) => ({ cid: CID.parse(row.cid), bytes: row.content })))
  expect(Buffer.compare(concat(collect(fullRepoCar(repo.actors.location(DID).dbLocation)!)), expected)).toBe(0)
})

test('a write during a slow download does not change what the download sees', async () => {
  const repo = await repoWith(1500)
  const before = repo.getRepoRoot(DID)!
  const stream = fullRepoCar(repo.actors.location(DID).dbLocation)!
  const first = (stream.next().value as Uint8Array).slice()
  // This commit deletes the old commit block and replaced MST nodes from repo_block.
  await repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post('late') }])
  expect(repo.getRepoRoot(DID)!.rev).not.toBe(before.rev)
  const car = concat([first, ...collect(stream)])
  const verified = await verifyRepoCar(car, DID, repo.signingKey(DID).did())
  expect(verified.commit.rev).toBe(before.rev)
  expect(verified.creates.length).toBe(1500)
  // The next download has the new commit.
  const after = await verifyRepoCar(concat(collect(fullRepoCar(repo.actors.location(DID).dbLocation)!)), DID, repo.signingKey(DID).did())
  expect(after.creates.length).toBe(1501)
})

test('an abandoned download releases its connection and snapshot', async () => {
  const repo = await repoWith(600)
  const stream = fullRepoCar(repo.actors.location(DID).dbLocation)!
  stream.next()
  stream.return(undefined)
  // With the snapshot released a checkpoint can truncate the WAL completely.
  await repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post('x') }])
  const res = repo.db(DID).db.query<{ busy: number }, []>('PRAGMA wal_checkpoint(TRUNCATE)').get()!
  expect(res.busy).toBe(0)
})
