// Covering proofs (sync 1.1): the nodes that prove a key's presence or absence plus the
// edge nodes of its neighbouring subtrees, enough to invert an add or delete of that key.
// Same block set as @atproto/repo's MST.getCoveringProof.
import { Node } from './node.ts'
import type { Block, Mst } from './tree.ts'

/** Add the proof nodes for each key to `out` (keyed by CID string). Hashes the tree first. */
export function addCoveringProofs(mst: Mst, keys: Iterable<string>, out: Map<string, Block>): void {
  mst.rootCid()
  for (const key of keys) proveKey(mst, mst.rootNode(), key, out)
}

export function coveringProof(mst: Mst, keys: Iterable<string>): Map<string, Block> {
  const out = new Map<string, Block>()
  addCoveringProofs(mst, keys, out)
  return out
}

function addNode(node: Node, out: Map<string, Block>): void {
  const cid = node.cid!
  out.set(cid.toString(), { cid, bytes: node.bytes! })
}

function proveKey(mst: Mst, start: Node, key: string, out: Map<string, Block>): void {
  let node: Node | null = start
  while (node) {
    mst.load(node)
    addNode(node, out)
    const i = node.lowerBound(key)
    const entry = node.entries[i]
    if (entry && entry.key === key) {
      addSpine(mst, node.gap(i), 'right', out)
      addSpine(mst, entry.right, 'left', out)
      return
    }
    node = node.gap(i)
  }
}

/** The outermost path of a subtree on one side: the nodes a merge would open. */
function addSpine(mst: Mst, node: Node | null, side: 'left' | 'right', out: Map<string, Block>): void {
  while (node) {
    mst.load(node)
    addNode(node, out)
    node = side === 'left' ? node.left : node.gap(node.entries.length)
  }
}
