// Deterministic full-repo block order for export: the commit, then MST nodes in pre-order,
// each entry's record right after the node that holds it (left subtree, record, right subtree).
import { CID } from '../cbor.ts'
import { decodeCommit } from '../commit.ts'
import { Mst, MissingBlockError, type Block, type BlockReader } from '../mst/index.ts'
import type { Node } from '../mst/node.ts'

export function* walkRepoBlocks(reader: BlockReader, commitCid: CID): Generator<Block> {
  const commitBytes = reader.get(commitCid)
  if (!commitBytes) throw new MissingBlockError(commitCid, 'commit')
  yield { cid: commitCid, bytes: commitBytes }
  const commit = decodeCommit(commitBytes)
  const mst = Mst.load(reader, commit.data)
  const seenRecords = new Set<string>()
  yield* walkNode(mst, mst.rootNode(), seenRecords)
}

function* walkNode(mst: Mst, node: Node, seenRecords: Set<string>): Generator<Block> {
  mst.load(node)
  yield { cid: node.cid!, bytes: node.bytes! }
  if (node.left) yield* walkNode(mst, node.left, seenRecords)
  for (const entry of node.entries) {
    const key = entry.value.toString()
    if (!seenRecords.has(key)) {
      seenRecords.add(key)
      const bytes = mst.reader.get(entry.value)
      if (!bytes) throw new MissingBlockError(entry.value, 'record')
      yield { cid: entry.value, bytes }
    }
    if (entry.right) yield* walkNode(mst, entry.right, seenRecords)
  }
}
