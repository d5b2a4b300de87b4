// Cross-check against the reference implementation (@atproto/repo): identical MST roots,
// identical commits and block sets, and repos that each side reads and verifies.
import { describe, expect, test } from 'bun:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { Secp256k1Keypair } from '@atproto/crypto'
import * as ref from '@atproto/repo'
import { CID, encodeBlock } from '../../src/core/cbor.ts'
import { carToBytes, readCar, writeCar } from '../../src/core/car.ts'
import { decodeCommit, signCommit, verifyCommitSignature, type Signer } from '../../src/core/commit.ts'
import { Mst, buildMst, type Block, type BlockReader } from '../../src/core/mst/index.ts'
import {
  RecordAlreadyExistsError,
  RecordNotFoundError,
  RepoVerificationError,
  applyWritesToRepo,
  createEmptyRepo,
  verifyRepoCar,
  walkRepoBlocks,
  type CommitData,
  type RecordWrite,
} from '../../src/core/repo/index.ts'

const secretKey = secp256k1.utils.randomSecretKey()
const publicKey = secp256k1.getPublicKey(secretKey)
const refKeypair = await Secp256k1Keypair.import(secretKey)
const did = 'did:plc:crosscheck000000000000'
const signer: Signer = { did: () => refKeypair.did(), sign: (bytes) => secp256k1.sign(bytes, secretKey) }
const verify = (data: Uint8Array, sig: Uint8Array): boolean => secp256k1.verify(sig, data, publicKey)

class Store implements BlockReader {
  blocks = new Map<string, Block>()
  get(cid: CID): Uint8Array | undefined {
    return this.blocks.get(cid.toString())?.bytes
  }
  apply(commit: CommitData): void {
    for (const cid of commit.removedCids) this.blocks.delete(cid.toString())
    for (const [key, block] of commit.newBlocks) this.blocks.set(key, block)
  }
}

let counter = 0
function post(text: string): Record<string, unknown> {
  return { $type: 'app.bsky.feed.post', text, createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, counter++)).toISOString() }
}
function rkey(i: number): string {
  return `3k${i.toString(36).padStart(11, 'a')}`
}
const sortedStrings = (cids: Iterable<{ toString(): string }>): string[] => [...cids].map(String).sort()

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of stream) parts.push(part)
  return Buffer.concat(parts)
}

test('same keys give the same MST root as @atproto/repo', async () => {
  const storage = new ref.MemoryBlockstore()
  let refMst = await ref.MST.create(storage)
  const entries: Array<{ key: string; value: CID }> = []
  for (let i = 0; i < 250; i++) {
    const key = `app.bsky.feed.${['post', 'like', 'repost'][i % 3]}/${rkey(i * 7919)}`
    const value = encodeBlock({ i }).cid
    entries.push({ key, value })
    refMst = await refMst.add(key, value as any)
  }
  const ours = buildMst(entries)
  expect(ours.rootCid().toString()).toBe((await refMst.getPointer()).toString())
  for (const { key } of entries.slice(0, 120)) {
    refMst = await refMst.delete(key)
    ours.delete(key)
  }
  expect(ours.rootCid().toString()).toBe((await refMst.getPointer()).toString())
})

describe('commit builder against @atproto/repo', () => {
  test('identical commits, block sets and removed CIDs over a history of writes', async () => {
    const refStorage = new ref.MemoryBlockstore()
    let refRepo = await ref.Repo.create(refStorage, did, refKeypair)
    const store = new Store()
    // Start from the reference's genesis so revs and commits can match exactly.
    for (const [cid, bytes] of refStorage.blocks) store.blocks.set(cid.toString(), { cid: cid as any, bytes })

    const live: string[] = []
    for (let round = 0; round < 8; round++) {
      const writes: RecordWrite[] = []
      for (let i = 0; i < 6; i++) {
        const key = rkey(round * 100 + i)
        writes.push({ action: 'create', collection: 'app.bsky.feed.post', rkey: key, record: post(`r${round} ${i}`) })
        live.push(key)
      }
      if (round > 0) {
        writes.push({ action: 'update', collection: 'app.bsky.feed.post', rkey: live[0]!, record: post(`upd ${round}`) })
        const gone = live.splice(1, 2)
        for (const key of gone) writes.push({ action: 'delete', collection: 'app.bsky.feed.post', rkey: key })
      }
      const refCommit = await refRepo.formatCommit(writes as ref.RecordWriteOp[], refKeypair)
      const ours = applyWritesToRepo({
        reader: store,
        prevCommit: { cid: refRepo.cid as any, dataRoot: refRepo.commit.data as any, rev: refRepo.commit.rev },
        did,
        writes,
        signer,
        rev: refCommit.rev,
      })
      expect(ours.dataRoot.toString()).toBe(decodeCommit(refCommit.newBlocks.get(refCommit.cid)!).data.toString())
      // RFC 6979 signatures are deterministic on both sides, so the commit CIDs agree too.
      expect(ours.cid.toString()).toBe(refCommit.cid.toString())
      expect(ours.since).toBe(refRepo.commit.rev)
      expect(sortedStrings(ours.newBlocks.keys())).toEqual(sortedStrings(refCommit.newBlocks.cids()))
      expect(sortedStrings(ours.removedCids)).toEqual(sortedStrings(refCommit.removedCids.toList()))
      const refFirehose = new ref.BlockMap().addMap(refCommit.newBlocks).addMap(refCommit.relevantBlocks)
      expect(sortedStrings(ours.relevantBlocks.keys())).toEqual(sortedStrings(refFirehose.cids()))
      expect(ours.ops.map((op) => `${op.action} ${op.path}`)).toEqual(
        writes.map((w) => `${w.action} ${w.collection}/${w.rkey}`),
      )
      refRepo = await refRepo.applyCommit(refCommit)
      store.apply(ours)
    }
  })

  test('our repo CAR is verified by @atproto/repo, and theirs by ours', async () => {
    const store = new Store()
    let head = createEmptyRepo(did, signer, '3kaaaaaaaaaa2')
    store.apply(head)
    expect(head.ops).toEqual([])
    expect(head.newBlocks.size).toBe(2)
    const expected = new Map<string, string>()
    for (let round = 0; round < 5; round++) {
      const writes: RecordWrite[] = Array.from({ length: 40 }, (_, i) => ({
        action: 'create' as const,
        collection: i % 2 ? 'app.bsky.feed.like' : 'app.bsky.feed.post',
        rkey: rkey(round * 1000 + i),
        record: post(`${round}/${i}`),
      }))
      head = applyWritesToRepo({
        reader: store,
        prevCommit: { cid: head.cid, dataRoot: head.dataRoot, rev: head.rev },
        did,
        writes,
        signer,
        rev: `3kaaaaaaaab${round}a`,
      })
      store.apply(head)
      for (const w of writes) expected.set(`${w.collection}/${w.rkey}`, encodeBlock(w.record).cid.toString())
    }
    // Every stored block is reachable: nothing leaked, nothing missing.
    const walked = [...walkRepoBlocks(store, head.cid)]
    expect(walked[0]!.cid.toString()).toBe(head.cid.toString())
    expect(sortedStrings(walked.map((b) => b.cid))).toEqual(sortedStrings(store.blocks.keys()))

    const car = await collect(writeCar(head.cid, walked))
    const verified = await ref.verifyRepoCar(car, did, refKeypair.did())
    expect(verified.creates.length).toBe(expected.size)
    for (const create of verified.creates) {
      expect(create.cid.toString()).toBe(expected.get(`${create.collection}/${create.rkey}`)!)
    }
    const { root } = await ref.readCarWithRoot(car)
    expect(root.toString()).toBe(head.cid.toString())

    const ourCheck = verifyRepoCar(car, did, verify)
    expect(ourCheck.records.length).toBe(expected.size)
    expect(() => verifyRepoCar(car, 'did:plc:someoneelse', verify)).toThrow(RepoVerificationError)
    const otherKey = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey())
    expect(() => verifyRepoCar(car, did, (d, s) => secp256k1.verify(s, d, otherKey))).toThrow(/signature/)
  })

  test('a CAR exported by @atproto/repo is read and verified by ours', async () => {
    const storage = new ref.MemoryBlockstore()
    const writes = Array.from({ length: 30 }, (_, i) => ({
      action: ref.WriteOpAction.Create,
      collection: 'app.bsky.feed.post',
      rkey: rkey(i),
      record: post(`ref ${i}`),
    }))
    const repo = await ref.Repo.create(storage, did, refKeypair, writes as ref.RecordCreateOp[])
    const car = await collect(ref.getFullRepo(storage, repo.cid))
    const parsed = readCar(car)
    expect(parsed.roots[0]!.toString()).toBe(repo.cid.toString())
    const verified = verifyRepoCar(car, did, verify)
    expect(verified.records.map((r) => r.rkey)).toEqual(writes.map((w) => w.rkey).sort())
    expect((verified.records[0]!.record as any).$type).toBe('app.bsky.feed.post')
  })

  test('a commit we sign verifies with @atproto/repo, and theirs with ours', async () => {
    const data = Mst.empty().rootCid()
    const commit = signCommit({ did, version: 3, data, rev: '3kaaaaaaaaaa2', prev: null }, signer)
    expect(await ref.verifyCommitSig(commit as any, refKeypair.did())).toBe(true)
    expect(verifyCommitSignature(commit, verify)).toBe(true)
    expect(verifyCommitSignature({ ...commit, rev: '3kaaaaaaaaaa3' }, verify)).toBe(false)
    const theirs = await ref.signCommit({ did, version: 3, data: data as any, rev: '3kaaaaaaaaaa4', prev: null }, refKeypair)
    expect(verifyCommitSignature(theirs as any, verify)).toBe(true)
  })
})

describe('commit builder rules', () => {
  const genesis = createEmptyRepo(did, signer, '3kaaaaaaaaaa2')
  const store = new Store()
  store.apply(genesis)
  const prevCommit = { cid: genesis.cid, dataRoot: genesis.dataRoot, rev: genesis.rev }
  const base = { reader: store, prevCommit, did, signer, rev: '3kaaaaaaaaab2' }

  test('create of an existing key, update or delete of a missing key, stale rev', () => {
    const first = applyWritesToRepo({ ...base, writes: [{ action: 'create', collection: 'a.b.c', rkey: 'x', record: post('1') }] })
    const store2 = new Store()
    for (const [k, b] of store.blocks) store2.blocks.set(k, b)
    store2.apply(first)
    const next = { ...base, reader: store2, prevCommit: { cid: first.cid, dataRoot: first.dataRoot, rev: first.rev }, rev: '3kaaaaaaaac22' }
    expect(() => applyWritesToRepo({ ...next, writes: [{ action: 'create', collection: 'a.b.c', rkey: 'x', record: post('2') }] })).toThrow(RecordAlreadyExistsError)
    expect(() => applyWritesToRepo({ ...next, writes: [{ action: 'update', collection: 'a.b.c', rkey: 'y', record: post('2') }] })).toThrow(RecordNotFoundError)
    expect(() => applyWritesToRepo({ ...next, writes: [{ action: 'delete', collection: 'a.b.c', rkey: 'y' }] })).toThrow(RecordNotFoundError)
    expect(() => applyWritesToRepo({ ...next, rev: first.rev, writes: [] })).toThrow(/rev/)
  })

  test('a pre-encoded record block gives the same commit as encoding the record', () => {
    const writes: RecordWrite[] = [
      { action: 'create', collection: 'a.b.c', rkey: 'x', record: post('1') },
      { action: 'create', collection: 'a.b.c', rkey: 'y', record: post('2') },
    ]
    const plain = applyWritesToRepo({ ...base, writes })
    const preEncoded = applyWritesToRepo({ ...base, writes: writes.map((w) => ({ ...w, block: encodeBlock(w.record) })) })
    expect(preEncoded.cid.toString()).toBe(plain.cid.toString())
    expect([...preEncoded.newBlocks.keys()].sort()).toEqual([...plain.newBlocks.keys()].sort())
    for (const [key, block] of plain.newBlocks) expect(preEncoded.newBlocks.get(key)!.bytes).toEqual(block.bytes)
    expect(preEncoded.ops).toEqual(plain.ops)
  })

  test('a record CID shared by another key is kept when the index says so', () => {
    const same = post('shared')
    const first = applyWritesToRepo({
      ...base,
      writes: [
        { action: 'create', collection: 'a.b.c', rkey: 'one', record: same },
        { action: 'create', collection: 'a.b.c', rkey: 'two', record: same },
      ],
    })
    const store2 = new Store()
    for (const [k, b] of store.blocks) store2.blocks.set(k, b)
    store2.apply(first)
    const sharedCid = encodeBlock(same).cid
    const del = (isRecordCidReferencedElsewhere?: (cid: CID, paths: ReadonlySet<string>) => boolean) =>
      applyWritesToRepo({
        ...base,
        reader: store2,
        prevCommit: { cid: first.cid, dataRoot: first.dataRoot, rev: first.rev },
        rev: '3kaaaaaaaac22',
        writes: [{ action: 'delete', collection: 'a.b.c', rkey: 'one' }],
        isRecordCidReferencedElsewhere,
      })
    expect(del().removedCids.map(String)).toContain(sharedCid.toString())
    const kept = del((cid, paths) => cid.equals(sharedCid) && !paths.has('a.b.c/two'))
    expect(kept.removedCids.map(String)).not.toContain(sharedCid.toString())
    expect(kept.ops).toEqual([{ action: 'delete', path: 'a.b.c/one', cid: null, prev: sharedCid }])
    // The firehose CAR of a commit holds the commit, the record and the proof nodes.
    const firehose = readCar(carToBytes(first.cid, first.relevantBlocks.values()))
    expect(firehose.blocks.has(first.cid.toString())).toBe(true)
    expect(firehose.blocks.has(sharedCid.toString())).toBe(true)
  })
})

test('verifyRepoCar rejects a repo with a missing MST node or record', () => {
  const store = new Store()
  const genesis = createEmptyRepo(did, signer, '3kaaaaaaaaaa2')
  store.apply(genesis)
  const head = applyWritesToRepo({
    reader: store,
    prevCommit: { cid: genesis.cid, dataRoot: genesis.dataRoot, rev: genesis.rev },
    did,
    signer,
    rev: '3kaaaaaaaab22',
    writes: Array.from({ length: 60 }, (_, i) => ({ action: 'create' as const, collection: 'a.b.c', rkey: rkey(i), record: post(`${i}`) })),
  })
  store.apply(head)
  const blocks = [...walkRepoBlocks(store, head.cid)]
  const withoutNode = blocks.filter((b) => !b.cid.equals(head.dataRoot))
  expect(() => verifyRepoCar(carToBytes(head.cid, withoutNode), did, verify)).toThrow(RepoVerificationError)
  const withoutLastRecord = blocks.slice(0, -1)
  expect(() => verifyRepoCar(carToBytes(head.cid, withoutLastRecord), did, verify)).toThrow(/missing record/)
  expect(verifyRepoCar(carToBytes(head.cid, blocks), did, verify).records.length).toBe(60)
})
