// Protocol core side by side with @atproto/repo on the same data in the same run:
// build a 100k-record repo, 1,000 single-record signed commits, CAR export, CAR read + verify.
import { Repo, MemoryBlockstore, WriteOpAction, getFullRepo, verifyRepoCar as refVerifyRepoCar } from '@atproto/repo'
import { Secp256k1Keypair as RefKeypair } from '@atproto/crypto'
import { encodeBlock, type CID } from '../src/core/cbor.ts'
import { buildMst, type Block } from '../src/core/mst/index.ts'
import { signCommit, encodeCommit } from '../src/core/commit.ts'
import { writeCar } from '../src/core/car.ts'
import { applyWritesToRepo, verifyRepoCar, walkRepoBlocks } from '../src/core/repo/index.ts'
import { Secp256k1Keypair, verifySignature } from '../src/core/crypto/index.ts'
import { nextTid } from '../src/core/syntax/index.ts'
import type { BenchRow } from './lib.ts'

const RECORDS = Number(process.env.BENCH_CORE_RECORDS ?? 100_000)
const UPDATES = 1_000
const COLLECTION = 'app.bsky.feed.post'

const record = (i: number) => ({ $type: COLLECTION, text: `post number ${i}`, createdAt: new Date(1_700_000_000_000 + i).toISOString() })

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now()
  const out = await fn()
  return [out, performance.now() - start]
}

/** Collects a CAR; `onChunk` lets a caller sample memory while the export runs. */
async function consume(chunks: AsyncIterable<Uint8Array>, onChunk?: () => void): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) {
    parts.push(c)
    onChunk?.()
  }
  return Buffer.concat(parts)
}

async function ours(rkeys: string[]) {
  const key = Secp256k1Keypair.create()
  const did = 'did:plc:benchbenchbenchbenchbenc'
  const store = new Map<string, Uint8Array>()
  const reader = { get: (cid: CID) => store.get(cid.toString()) }
  const put = (blocks: Iterable<Block>) => {
    for (const b of blocks) store.set(b.cid.toString(), b.bytes)
  }

  const [head, buildMs] = await time(() => {
    const items = rkeys.map((rkey, i) => {
      const block = encodeBlock(record(i))
      store.set(block.cid.toString(), block.bytes)
      return { key: `${COLLECTION}/${rkey}`, value: block.cid }
    })
    const mst = buildMst(items, { reader })
    const changes = mst.collectChanges()
    put(changes.newBlocks.values())
    const commit = encodeCommit(signCommit({ did, version: 3, data: changes.root, rev: nextTid(), prev: null }, key))
    store.set(commit.cid.toString(), commit.bytes)
    return { cid: commit.cid, dataRoot: changes.root, rev: '' }
  })

  let prev = { ...head, rev: nextTid() }
  const [, updateMs] = await time(() => {
    for (let i = 0; i < UPDATES; i++) {
      const rkey = rkeys[(i * 7919) % rkeys.length]!
      const data = applyWritesToRepo({
        reader,
        prevCommit: prev,
        did,
        writes: [{ action: 'update', collection: COLLECTION, rkey, record: { ...record(i), text: `edited ${i}` } }],
        signer: key,
        rev: nextTid(prev.rev),
      })
      put(data.newBlocks.values())
      prev = { cid: data.cid, dataRoot: data.dataRoot, rev: data.rev }
    }
  })

  // Measured on a separate pass that discards the chunks, so only the exporter's own memory counts.
  Bun.gc(true)
  const rssBefore = process.memoryUsage.rss()
  let peak = rssBefore
  for await (const _ of writeCar(prev.cid, walkRepoBlocks(reader, prev.cid))) peak = Math.max(peak, process.memoryUsage.rss())
  const [car, exportMs] = await time(() => consume(writeCar(prev.cid, walkRepoBlocks(reader, prev.cid))))
  const [, verifyMs] = await time(() => verifyRepoCar(car, did, (data, sig) => verifySignature(key.did(), data, sig)))
  return { buildMs, updateMs, exportMs, verifyMs, carBytes: car.byteLength, exportRssMb: (peak - rssBefore) / 2 ** 20 }
}

async function reference(rkeys: string[]) {
  const key = await RefKeypair.create()
  const did = 'did:plc:benchbenchbenchbenchbenc'
  const storage = new MemoryBlockstore()
  const [repo0, buildMs] = await time(() =>
    Repo.create(
      storage,
      did,
      key,
      rkeys.map((rkey, i) => ({ action: WriteOpAction.Create, collection: COLLECTION, rkey, record: record(i) })),
    ),
  )
  let repo = repo0
  const [, updateMs] = await time(async () => {
    for (let i = 0; i < UPDATES; i++) {
      const rkey = rkeys[(i * 7919) % rkeys.length]!
      repo = await repo.applyWrites(
        { action: WriteOpAction.Update, collection: COLLECTION, rkey, record: { ...record(i), text: `edited ${i}` } },
        key,
      )
    }
  })
  const [car, exportMs] = await time(() => consume(getFullRepo(storage, repo.cid)))
  const [, verifyMs] = await time(() => refVerifyRepoCar(car, did, key.did()))
  return { buildMs, updateMs, exportMs, verifyMs, carBytes: car.byteLength }
}

export async function coreRows(): Promise<BenchRow[]> {
  let tid = nextTid()
  const rkeys = Array.from({ length: RECORDS }, () => (tid = nextTid(tid)))
  const a = await ours(rkeys)
  Bun.gc(true)
  const b = await reference(rkeys)
  const ratio = (ref: number, us: number) => `@atproto/repo ${ref.toFixed(0)} ms (${(ref / us).toFixed(1)}x)`
  const n = RECORDS.toLocaleString('en')
  return [
    { area: 'core', metric: `build ${n}-record repo`, value: a.buildMs, unit: 'ms', reference: ratio(b.buildMs, a.buildMs) },
    { area: 'core', metric: `${UPDATES} single-record signed commits`, value: a.updateMs, unit: 'ms', reference: ratio(b.updateMs, a.updateMs) },
    { area: 'core', metric: `export CAR (${(a.carBytes / 2 ** 20).toFixed(1)} MB)`, value: a.exportMs, unit: 'ms', reference: ratio(b.exportMs, a.exportMs) },
    { area: 'core', metric: 'read + verify CAR', value: a.verifyMs, unit: 'ms', reference: ratio(b.verifyMs, a.verifyMs) },
    { area: 'core', metric: 'CAR export RSS growth', value: a.exportRssMb, unit: 'MB', reference: 'chunks discarded as written' },
  ]
}
