// Bulk construction: the canonical tree is a pure function of the key set, so build it
// top-down from sorted keys instead of inserting one by one.
import { CID } from '../cbor.ts'
import { Node, type Entry } from './node.ts'
import { EMPTY_READER, Mst, type BlockReader } from './tree.ts'
import { ensureValidMstKey, keyHeight } from './util.ts'

export interface KeyValue {
  key: string
  value: CID
}

/** Build a tree from entries in any order (duplicate keys: last wins). */
export function buildMst(
  items: Iterable<KeyValue>,
  opts: { reader?: BlockReader; validateKeys?: boolean } = {},
): Mst {
  const byKey = new Map<string, CID>()
  for (const { key, value } of items) {
    if (opts.validateKeys !== false) ensureValidMstKey(key)
    byKey.set(key, value)
  }
  const keys = [...byKey.keys()].sort()
  const values = keys.map((key) => byKey.get(key)!)
  const heights = keys.map(keyHeight)
  let top = 0
  for (const h of heights) if (h > top) top = h
  const reader = opts.reader ?? EMPTY_READER
  if (keys.length === 0) return Mst.empty(reader)
  const root = buildLayer(keys, values, heights, 0, keys.length, top)!
  return Mst.fromRootNode(reader, root)
}

function buildLayer(
  keys: string[],
  values: CID[],
  heights: number[],
  start: number,
  end: number,
  layer: number,
): Node | null {
  if (start >= end) return null
  const node = Node.fresh(layer)
  const entries: Entry[] = []
  let gapStart = start
  for (let i = start; i < end; i++) {
    if (heights[i] !== layer) continue
    const gap = buildLayer(keys, values, heights, gapStart, i, layer - 1)
    if (entries.length === 0) node.left = gap
    else entries[entries.length - 1]!.right = gap
    entries.push({ key: keys[i]!, value: values[i]!, right: null })
    gapStart = i + 1
  }
  const tail = buildLayer(keys, values, heights, gapStart, end, layer - 1)
  if (entries.length === 0) node.left = tail
  else entries[entries.length - 1]!.right = tail
  node.entries = entries
  return node
}
