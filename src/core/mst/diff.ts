// Diff of two stored trees, walking both in key order and skipping shared subtrees
// (same approach as @atproto/repo's mstDiff, over our synchronous nodes).
import { CID } from '../cbor.ts'
import { Node } from './node.ts'
import { Mst, type Block, type BlockReader } from './tree.ts'

export interface DataOp {
  action: 'create' | 'update' | 'delete'
  key: string
  cid: CID | null
  prev: CID | null
}

export interface MstDiff {
  /** Data-level changes in key order. */
  ops: DataOp[]
  /** Node blocks of `to` that are not in `from`. */
  newBlocks: Map<string, Block>
  /** Node CIDs of `from` that are not in `to`. */
  removedCids: CID[]
}

type Item = { leaf: true; key: string; value: CID; layer: number } | { leaf: false; node: Node }

class Cursor {
  private stack: Array<{ node: Node; pos: number }> = []
  current: Item | null

  constructor(private mst: Mst | null) {
    this.current = mst ? { leaf: false, node: mst.rootNode() } : null
  }

  /** Move past the current item without opening it. */
  stepOver(): void {
    for (;;) {
      const frame = this.stack[this.stack.length - 1]
      if (!frame) {
        this.current = null
        return
      }
      frame.pos++
      const { node, pos } = frame
      if (pos > node.entries.length * 2) {
        this.stack.pop()
        continue
      }
      if (pos % 2 === 1) {
        const entry = node.entries[(pos - 1) / 2]!
        this.current = { leaf: true, key: entry.key, value: entry.value, layer: node.layer }
        return
      }
      const child = node.gap(pos / 2)
      if (child) {
        this.current = { leaf: false, node: child }
        return
      }
    }
  }

  /** Open the current subtree and move to its first item. */
  stepInto(): void {
    const item = this.current
    if (!item || item.leaf) throw new Error('stepInto needs a subtree')
    this.stack.push({ node: this.mst!.load(item.node), pos: -1 })
    this.stepOver()
  }
}

/** Diff `from` (null = empty repo) to `to`. Both roots are read through `reader`. */
export function diffMst(reader: BlockReader, from: CID | null, to: CID): MstDiff {
  const before = new Cursor(from ? Mst.load(reader, from) : null)
  const after = new Cursor(Mst.load(reader, to))
  const ops: DataOp[] = []
  const added = new Map<string, Block>()
  const removed = new Map<string, CID>()

  const nodeAdded = (node: Node): void => {
    const key = node.cid!.toString()
    if (!removed.delete(key)) added.set(key, { cid: node.cid!, bytes: node.bytes! })
  }
  const nodeRemoved = (node: Node): void => {
    const key = node.cid!.toString()
    if (!added.delete(key)) removed.set(key, node.cid!)
  }
  // Opening loads the node, so record blocks after stepping in.
  const openAfter = (): void => {
    const node = (after.current as { node: Node }).node
    after.stepInto()
    nodeAdded(node)
  }
  const openBefore = (): void => {
    const node = (before.current as { node: Node }).node
    before.stepInto()
    nodeRemoved(node)
  }

  for (;;) {
    const a = before.current
    const b = after.current
    if (!a && !b) break
    if (!a || !b) {
      const item = (a ?? b)!
      if (item.leaf) {
        ops.push(
          a
            ? { action: 'delete', key: item.key, cid: null, prev: item.value }
            : { action: 'create', key: item.key, cid: item.value, prev: null },
        )
        ;(a ? before : after).stepOver()
      } else if (a) openBefore()
      else openAfter()
      continue
    }
    if (a.leaf && b.leaf) {
      if (a.key === b.key) {
        if (!a.value.equals(b.value)) ops.push({ action: 'update', key: a.key, cid: b.value, prev: a.value })
        before.stepOver()
        after.stepOver()
      } else if (a.key < b.key) {
        ops.push({ action: 'delete', key: a.key, cid: null, prev: a.value })
        before.stepOver()
      } else {
        ops.push({ action: 'create', key: b.key, cid: b.value, prev: null })
        after.stepOver()
      }
      continue
    }
    if (!a.leaf && !b.leaf) {
      if (a.node.cid!.equals(b.node.cid!)) {
        before.stepOver()
        after.stepOver()
        continue
      }
      // Open the higher subtree first so both walks reach the same layer; equal: open both.
      const layerA = a.node.layer
      const layerB = b.node.layer
      if (layerA >= layerB) openBefore()
      if (layerB >= layerA) openAfter()
      continue
    }
    if (!a.leaf) openBefore()
    else openAfter()
  }
  return { ops, newBlocks: added, removedCids: [...removed.values()] }
}
