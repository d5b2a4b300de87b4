import { describe, expect, test } from 'bun:test'
import { CID } from '../../src/core/cbor.ts'
import { Mst, buildMst, coveringProof, type Block, type BlockReader } from '../../src/core/mst/index.ts'
import { readInteropJson } from '../helpers/interop.ts'

interface ProofCase {
  comment: string
  leafValue: string
  keys: string[]
  adds: string[]
  dels: string[]
  rootBeforeCommit: string
  rootAfterCommit: string
  blocksInProof: string[]
}

const cases = readInteropJson<ProofCase[]>('firehose/commit-proof-fixtures.json')

function mapReader(blocks: Map<string, Block>): BlockReader {
  return { get: (cid) => blocks.get(cid.toString())?.bytes }
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}

describe('commit proof fixtures', () => {
  for (const c of cases) {
    test(c.comment, () => {
      const leaf = CID.parse(c.leafValue)
      const store = new Map<string, Block>()
      const built = buildMst(c.keys.map((key) => ({ key, value: leaf })))
      const before = built.collectChanges()
      for (const [k, b] of before.newBlocks) store.set(k, b)
      expect(before.root.toString()).toBe(c.rootBeforeCommit)

      const mst = Mst.load(mapReader(store), before.root)
      for (const key of c.adds) expect(mst.put(key, leaf)).toBeNull()
      for (const key of c.dels) expect(mst.delete(key)?.equals(leaf)).toBe(true)
      const after = mst.collectChanges()
      for (const [k, b] of after.newBlocks) store.set(k, b)
      expect(after.root.toString()).toBe(c.rootAfterCommit)
      // Removed nodes really are gone from the new tree and were in the old one.
      for (const cid of after.removedCids) expect(after.newBlocks.has(cid.toString())).toBe(false)

      const changed = [...c.adds, ...c.dels]
      const proof = coveringProof(Mst.load(mapReader(store), after.root), changed)
      for (const cid of c.blocksInProof) expect(proof.has(cid)).toBe(true)

      // Inverting the ops in every order, with only the proof blocks, restores the old root.
      const inverse = [
        ...c.adds.map((key) => (t: Mst) => t.delete(key)),
        ...c.dels.map((key) => (t: Mst) => t.put(key, leaf)),
      ]
      for (const order of permutations(inverse)) {
        const onlyProof = Mst.load(mapReader(proof), after.root)
        for (const op of order) op(onlyProof)
        expect(onlyProof.rootCid().toString()).toBe(c.rootBeforeCommit)
      }
    })
  }
})
