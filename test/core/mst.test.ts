import { describe, expect, test } from 'bun:test'
import * as dagCbor from '@ipld/dag-cbor'
import { CID, cidForCborBytes, encodeBlock } from '../../src/core/cbor.ts'
import {
  Mst,
  buildMst,
  commonPrefixLength,
  coveringProof,
  diffMst,
  isValidMstKey,
  keyHeight,
  type Block,
  type BlockReader,
} from '../../src/core/mst/index.ts'
import { encodeNode, type Node } from '../../src/core/mst/node.ts'
import { readInteropJson, readInteropLines } from '../helpers/interop.ts'

// ---- helpers ------------------------------------------------------------------

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const CHARS = 'abcdefghijklmnopqrstuvwxyz234567'
function randomKeys(count: number, random: () => number): string[] {
  const keys = new Set<string>()
  while (keys.size < count) {
    let rkey = ''
    for (let i = 0; i < 8; i++) rkey += CHARS[Math.floor(random() * CHARS.length)]
    keys.add(`app.test.c${Math.floor(random() * 3)}/${rkey}`)
  }
  return [...keys]
}

function valueFor(key: string, version = 0): CID {
  return encodeBlock({ key, version }).cid
}

class Store implements BlockReader {
  blocks = new Map<string, Block>()
  get(cid: CID): Uint8Array | undefined {
    return this.blocks.get(cid.toString())?.bytes
  }
  apply(changes: { newBlocks: Map<string, Block>; removedCids: CID[] }): void {
    for (const cid of changes.removedCids) this.blocks.delete(cid.toString())
    for (const [key, block] of changes.newBlocks) this.blocks.set(key, block)
  }
}

/** CIDs of every node reachable from a root. */
function reachableNodes(reader: BlockReader, root: CID): Set<string> {
  const mst = Mst.load(reader, root)
  const out = new Set<string>()
  const visit = (node: Node): void => {
    mst.load(node)
    out.add(node.cid!.toString())
    if (node.left) visit(node.left)
    for (const entry of node.entries) if (entry.right) visit(entry.right)
  }
  visit(mst.rootNode())
  return out
}

// ---- vectors ------------------------------------------------------------------

describe('interop vectors', () => {
  test('key heights', () => {
    for (const { key, height } of readInteropJson<Array<{ key: string; height: number }>>('mst/key_heights.json')) {
      expect(keyHeight(key)).toBe(height)
    }
  })

  test('common prefix lengths', () => {
    for (const { left, right, len } of readInteropJson<Array<{ left: string; right: string; len: number }>>(
      'mst/common_prefix.json',
    )) {
      expect(commonPrefixLength(left, right)).toBe(len)
    }
  })

  test('example keys: the digit after the letter is the height', () => {
    const keys = readInteropLines('mst/example_keys.txt')
    expect(keys.length).toBe(156)
    for (const key of keys) expect(keyHeight(key)).toBe(Number(key[1]))
  })

  test('key validation', () => {
    expect(isValidMstKey('app.bsky.feed.post/3jzfcijpj2z2a')).toBe(true)
    expect(isValidMstKey('coll/key:with~chars_.-')).toBe(true)
    for (const bad of ['', 'nokey', '/rkey', 'coll/', 'a/b/c', 'coll/sp ace', 'coll/é', `c/${'a'.repeat(1030)}`]) {
      expect(isValidMstKey(bad)).toBe(false)
    }
    expect(() => Mst.empty().put('bad key', valueFor('x'))).toThrow()
  })

  test('empty tree root', () => {
    expect(Mst.empty().rootCid().toString()).toBe(encodeBlock({ l: null, e: [] }).cid.toString())
  })
})

// ---- encoding ---------------------------------------------------------------------

test('node encoding is byte-identical to @ipld/dag-cbor', () => {
  const random = rng(7)
  const mst = buildMst(randomKeys(400, random).map((key) => ({ key, value: valueFor(key) })))
  const store = new Store()
  const changes = mst.collectChanges()
  store.apply(changes)
  expect(changes.newBlocks.size).toBeGreaterThan(50)
  for (const block of changes.newBlocks.values()) {
    const decoded = dagCbor.decode(block.bytes)
    expect(Buffer.from(dagCbor.encode(decoded)).equals(Buffer.from(block.bytes))).toBe(true)
    expect(cidForCborBytes(block.bytes).equals(block.cid)).toBe(true)
  }
  // Re-encoding a loaded node gives the stored bytes back.
  const loaded = Mst.load(store, changes.root)
  expect(Buffer.from(encodeNode(loaded.rootNode())).equals(Buffer.from(store.get(changes.root)!))).toBe(true)
})

// ---- properties -------------------------------------------------------------------

describe('properties', () => {
  test('any insertion order gives the bulk-built root', () => {
    const random = rng(1)
    for (let round = 0; round < 6; round++) {
      const keys = randomKeys(20 + Math.floor(random() * 200), random)
      const expected = buildMst(keys.map((key) => ({ key, value: valueFor(key) }))).rootCid()
      for (let order = 0; order < 3; order++) {
        const mst = Mst.empty()
        for (const key of shuffle(keys, random)) expect(mst.put(key, valueFor(key))).toBeNull()
        expect(mst.rootCid().equals(expected)).toBe(true)
      }
    }
  })

  test('delete reverses insert, and a round trip yields no block changes', () => {
    const random = rng(2)
    const keys = randomKeys(300, random)
    const store = new Store()
    const base = buildMst(keys.map((key) => ({ key, value: valueFor(key) }))).collectChanges()
    store.apply(base)
    const extra = randomKeys(60, random).filter((k) => !keys.includes(k))
    const mst = Mst.load(store, base.root)
    for (const key of extra) mst.put(key, valueFor(key))
    expect(mst.rootCid().equals(base.root)).toBe(false)
    for (const key of shuffle(extra, random)) expect(mst.delete(key)?.equals(valueFor(key))).toBe(true)
    const roundTrip = mst.collectChanges()
    expect(roundTrip.root.equals(base.root)).toBe(true)
    expect(roundTrip.newBlocks.size).toBe(0)
    expect(roundTrip.removedCids.length).toBe(0)
    // Deleting everything gives the empty tree.
    for (const key of keys) mst.delete(key)
    expect(mst.rootCid().equals(Mst.empty().rootCid())).toBe(true)
    expect(mst.delete('app.test.c0/absent')).toBeNull()
  })

  test('new/removed blocks keep the store exactly equal to the reachable nodes', () => {
    const random = rng(3)
    const store = new Store()
    const live = new Map<string, CID>()
    let root = Mst.empty().collectChanges()
    store.apply(root)
    let rootCid = root.root
    const pool = randomKeys(400, random)
    for (let batch = 0; batch < 25; batch++) {
      const mst = Mst.load(store, rootCid)
      for (let i = 0; i < 1 + Math.floor(random() * 20); i++) {
        const key = pool[Math.floor(random() * pool.length)]!
        if (live.has(key) && random() < 0.5) {
          expect(mst.delete(key)?.equals(live.get(key)!)).toBe(true)
          live.delete(key)
        } else {
          const value = valueFor(key, batch)
          mst.put(key, value)
          live.set(key, value)
        }
      }
      const changes = mst.collectChanges()
      store.apply(changes)
      rootCid = changes.root
      expect(new Set(store.blocks.keys())).toEqual(reachableNodes(store, rootCid))
      expect(rootCid.equals(buildMst([...live].map(([key, value]) => ({ key, value }))).rootCid())).toBe(true)
    }
  })

  test('get and list agree with a sorted map', () => {
    const random = rng(4)
    const keys = randomKeys(500, random)
    const store = new Store()
    const changes = buildMst(keys.map((key) => ({ key, value: valueFor(key) }))).collectChanges()
    store.apply(changes)
    const mst = Mst.load(store, changes.root)
    const sorted = [...keys].sort()
    for (const key of keys.slice(0, 50)) expect(mst.get(key)?.equals(valueFor(key))).toBe(true)
    expect(mst.get('app.test.c9/none')).toBeNull()
    expect([...mst.list()].map((e) => e.key)).toEqual(sorted)
    expect([...mst.list({ reverse: true })].map((e) => e.key)).toEqual([...sorted].reverse())
    const prefixed = sorted.filter((k) => k.startsWith('app.test.c1/'))
    expect([...mst.list({ prefix: 'app.test.c1/' })].map((e) => e.key)).toEqual(prefixed)
    const a = sorted[100]!
    const b = sorted[300]!
    expect([...mst.list({ gt: a, lt: b })].map((e) => e.key)).toEqual(sorted.slice(101, 300))
    expect([...mst.list({ gte: a, lte: b })].map((e) => e.key)).toEqual(sorted.slice(100, 301))
    expect([...mst.list({ gt: a, lte: b, reverse: true })].map((e) => e.key)).toEqual(sorted.slice(101, 301).reverse())
    const cursor = prefixed[10]!
    expect([...mst.list({ prefix: 'app.test.c1/', lt: cursor, reverse: true })].map((e) => e.key)).toEqual(
      prefixed.slice(0, 10).reverse(),
    )
  })

  test('lazy loading reads only the nodes on the touched path', () => {
    const random = rng(5)
    const keys = randomKeys(2000, random)
    const store = new Store()
    const changes = buildMst(keys.map((key) => ({ key, value: valueFor(key) }))).collectChanges()
    store.apply(changes)
    const mst = Mst.load(store, changes.root)
    let reads = 0
    mst.onRead = () => reads++
    mst.get(keys[0]!)
    mst.put('app.test.c0/newkey', valueFor('new'))
    expect(reads).toBeLessThan(20)
    expect(store.blocks.size).toBeGreaterThan(500)
  })

  test('diff between two roots', () => {
    const random = rng(6)
    for (let round = 0; round < 5; round++) {
      const keys = randomKeys(300, random)
      const store = new Store()
      const before = buildMst(keys.map((key) => ({ key, value: valueFor(key) }))).collectChanges()
      store.apply(before)
      const mst = Mst.load(store, before.root)
      const expected = new Map<string, { action: string; cid: CID | null; prev: CID | null }>()
      for (const key of shuffle(keys, random).slice(0, 15)) {
        if (random() < 0.5) {
          expected.set(key, { action: 'delete', cid: null, prev: mst.delete(key) })
        } else {
          const cid = valueFor(key, 1)
          expected.set(key, { action: 'update', cid, prev: mst.put(key, cid) })
        }
      }
      for (const key of randomKeys(10, random)) {
        if (keys.includes(key)) continue
        expected.set(key, { action: 'create', cid: valueFor(key), prev: mst.put(key, valueFor(key)) })
      }
      const after = mst.collectChanges()
      const all = new Store()
      for (const [k, b] of store.blocks) all.blocks.set(k, b)
      for (const [k, b] of after.newBlocks) all.blocks.set(k, b)

      const diff = diffMst(all, before.root, after.root)
      expect(diff.ops.map((op) => op.key)).toEqual([...expected.keys()].sort())
      for (const op of diff.ops) {
        const want = expected.get(op.key)!
        expect(op.action).toBe(want.action as any)
        expect(String(op.cid)).toBe(String(want.cid))
        expect(String(op.prev)).toBe(String(want.prev))
      }
      const oldNodes = reachableNodes(all, before.root)
      const newNodes = reachableNodes(all, after.root)
      expect(new Set(diff.newBlocks.keys())).toEqual(new Set([...newNodes].filter((c) => !oldNodes.has(c))))
      expect(new Set(diff.removedCids.map(String))).toEqual(new Set([...oldNodes].filter((c) => !newNodes.has(c))))
      expect(new Set(after.newBlocks.keys())).toEqual(new Set(diff.newBlocks.keys()))

      // Applying the diff to the old tree gives the new tree.
      const replay = Mst.load(all, before.root)
      for (const op of diff.ops) {
        if (op.cid) replay.put(op.key, op.cid)
        else replay.delete(op.key)
      }
      expect(replay.rootCid().equals(after.root)).toBe(true)
    }
    // From nothing: every key is a create, every node is new.
    const store = new Store()
    const full = buildMst(randomKeys(50, random).map((key) => ({ key, value: valueFor(key) }))).collectChanges()
    store.apply(full)
    const fromEmpty = diffMst(store, null, full.root)
    expect(fromEmpty.ops.length).toBe(50)
    expect(fromEmpty.newBlocks.size).toBe(full.newBlocks.size)
  })

  test('covering proofs alone invert random multi-op commits in any order', () => {
    const random = rng(8)
    for (let round = 0; round < 30; round++) {
      const keys = randomKeys(10 + Math.floor(random() * 150), random)
      const store = new Store()
      const before = buildMst(keys.map((key) => ({ key, value: valueFor(key) }))).collectChanges()
      store.apply(before)
      const mst = Mst.load(store, before.root)
      const deleted = shuffle(keys, random).slice(0, Math.floor(random() * 5))
      const added = randomKeys(Math.floor(random() * 6), random).filter((k) => !keys.includes(k))
      for (const key of deleted) mst.delete(key)
      for (const key of added) mst.put(key, valueFor(key))
      const after = mst.collectChanges()
      store.apply(after)
      const proof = coveringProof(Mst.load(store, after.root), [...deleted, ...added])
      const proofReader = { get: (cid: CID) => proof.get(cid.toString())?.bytes }
      const inverse = [
        ...added.map((key) => (t: Mst) => t.delete(key)),
        ...deleted.map((key) => (t: Mst) => t.put(key, valueFor(key))),
      ]
      for (let order = 0; order < 4; order++) {
        const tree = Mst.load(proofReader, after.root)
        for (const op of shuffle(inverse, random)) op(tree)
        expect(tree.rootCid().equals(before.root)).toBe(true)
      }
    }
  })
})

test('bulk build of 100k entries is quick and matches incremental inserts', () => {
  const random = rng(9)
  const keys = randomKeys(100_000, random)
  const value = valueFor('shared')
  const started = performance.now()
  const built = buildMst(keys.map((key) => ({ key, value }))).collectChanges()
  const elapsed = performance.now() - started
  expect(elapsed).toBeLessThan(5000)
  expect(built.newBlocks.size).toBeGreaterThan(20_000)
  const incremental = Mst.empty()
  for (const key of keys.slice(0, 2000)) incremental.put(key, value)
  expect(incremental.rootCid().equals(buildMst(keys.slice(0, 2000).map((key) => ({ key, value }))).rootCid())).toBe(true)
})
