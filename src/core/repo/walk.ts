// Deterministic full-repo block order for export: the commit, then MST nodes in pre-order,
// each entry's record right after the node that holds it (left subtree, record, right subtree).
// Walks with an explicit stack of freshly decoded nodes, so finished subtrees are garbage
// at once: memory is O(tree depth) plus the set of record CIDs already sent.
import { CID } from '../cbor.ts'
import { decodeCommit } from '../commit.ts'
import { MissingBlockError, type Block, type BlockReader } from '../mst/index.ts'
import { Node, decodeNodeInto } from '../mst/node.ts'

interface Frame {
  node: Node
  /** -1 before the left subtree, then the index of the next entry. */
  next: number
}

export function* walkRepoBlocks(reader: BlockReader, commitCid: CID): Generator<Block> {
  const commitBytes = reader.get(commitCid)
  if (!commitBytes) throw new MissingBlockError(commitCid, 'commit')
  yield { cid: commitCid, bytes: commitBytes }
  const commit = decodeCommit(commitBytes)
  const seenRecords = new Set<string>()
  const stack: Frame[] = []
  const enter = (cid: CID): Block => {
    const bytes = reader.get(cid)
    if (!bytes) throw new MissingBlockError(cid)
    // Layers are irrelevant to the walk; decode into a node no parent holds on to.
    const node = Node.stub(cid, 0)
    decodeNodeInto(node, bytes)
    stack.push({ node, next: -1 })
    return { cid, bytes }
  }
  yield enter(commit.data)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const { node } = frame
    if (frame.next === -1) {
      frame.next = 0
      if (node.left) yield enter(node.left.cid!)
      continue
    }
    if (frame.next === node.entries.length) {
      stack.pop()
      continue
    }
    const entry = node.entries[frame.next++]!
    const key = entry.value.toString()
    if (!seenRecords.has(key)) {
      seenRecords.add(key)
      const bytes = reader.get(entry.value)
      if (!bytes) throw new MissingBlockError(entry.value, 'record')
      yield { cid: entry.value, bytes }
    }
    if (entry.right) yield enter(entry.right.cid!)
  }
}
