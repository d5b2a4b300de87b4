// A mutable working copy of an MST over a synchronous block reader.
// Only nodes on touched paths are loaded. Mutations mark nodes dirty; `collectChanges()`
// hashes them and returns exactly the node blocks that are new since the last collect,
// plus the CIDs of stored nodes that left the tree.
import { CID } from '../cbor.ts'
import { Node, decodeNodeInto, hashNode } from './node.ts'
import { ensureValidMstKey, keyHeight } from './util.ts'

export interface BlockReader {
  get(cid: CID): Uint8Array | undefined
}

export interface Block {
  cid: CID
  bytes: Uint8Array
}

export interface MstChanges {
  root: CID
  /** Node blocks created since the last collect, keyed by CID string. */
  newBlocks: Map<string, Block>
  /** Previously stored node CIDs no longer in the tree. */
  removedCids: CID[]
}

export interface ListOptions {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  prefix?: string
  reverse?: boolean
}

export class MissingBlockError extends Error {
  constructor(readonly cid: CID, what = 'MST node') {
    super(`Missing ${what} block ${cid.toString()}`)
    this.name = 'MissingBlockError'
  }
}

export const EMPTY_READER: BlockReader = { get: () => undefined }

export class Mst {
  private root: Node
  // CIDs hashed since the last collect (new blocks) and stored nodes displaced by edits.
  private pending = new Map<string, Block>()
  private displaced = new Map<string, CID>()
  /** Every node block read from the reader (used to build proofs). */
  onRead: ((cid: CID, bytes: Uint8Array) => void) | null = null

  private constructor(readonly reader: BlockReader, root: Node) {
    this.root = root
  }

  static empty(reader: BlockReader = EMPTY_READER): Mst {
    return new Mst(reader, Node.fresh(0))
  }

  /** Wrap an in-memory root (bulk builder); its dirty nodes become new blocks on collect. */
  static fromRootNode(reader: BlockReader, root: Node): Mst {
    return new Mst(reader, root)
  }

  /** Open a stored tree; nothing is read until first use. */
  static load(reader: BlockReader, rootCid: CID): Mst {
    return new Mst(reader, Node.stub(rootCid, -1))
  }

  // ---- loading ------------------------------------------------------------

  load(node: Node): Node {
    if (node.loaded) return node
    const cid = node.cid!
    const bytes = this.reader.get(cid)
    if (!bytes) throw new MissingBlockError(cid)
    decodeNodeInto(node, bytes)
    this.onRead?.(cid, bytes)
    if (node.layer < 0) this.resolveLayer(node)
    return node
  }

  /** Layer of a node loaded without a known parent (the root): from its first key. */
  private resolveLayer(node: Node): void {
    if (node.entries.length > 0) node.layer = keyHeight(node.entries[0]!.key)
    else if (node.left) {
      // A root holding only a subtree is not canonical; tolerate it by asking the child.
      node.left.layer = -1
      node.layer = this.load(node.left).layer + 1
    } else node.layer = 0
    if (node.left) node.left.layer = node.layer - 1
    for (const entry of node.entries) if (entry.right) entry.right.layer = node.layer - 1
  }

  /** The root node, loaded. */
  rootNode(): Node {
    return this.load(this.root)
  }

  // ---- reads ----------------------------------------------------------------

  get(key: string): CID | null {
    let node: Node | null = this.root
    while (node) {
      this.load(node)
      const i = node.lowerBound(key)
      const entry = node.entries[i]
      if (entry && entry.key === key) return entry.value
      node = node.gap(i)
    }
    return null
  }

  *list(opts: ListOptions = {}): Generator<{ key: string; value: CID }> {
    let lower = opts.gte ?? opts.gt
    let upper = opts.lte ?? opts.lt
    if (opts.prefix !== undefined) {
      if (lower === undefined || lower < opts.prefix) lower = opts.prefix
      const prefixEnd = opts.prefix + '\x7f'
      if (upper === undefined || upper > prefixEnd) upper = prefixEnd
    }
    const inRange = (key: string): boolean =>
      (opts.gt === undefined || key > opts.gt) &&
      (opts.gte === undefined || key >= opts.gte) &&
      (opts.lt === undefined || key < opts.lt) &&
      (opts.lte === undefined || key <= opts.lte) &&
      (opts.prefix === undefined || key.startsWith(opts.prefix))
    yield* this.walkRange(this.root, lower, upper, inRange, opts.reverse === true)
  }

  private *walkRange(
    node: Node,
    lower: string | undefined,
    upper: string | undefined,
    inRange: (key: string) => boolean,
    reverse: boolean,
  ): Generator<{ key: string; value: CID }> {
    this.load(node)
    const entries = node.entries
    const n = entries.length
    // Gap i holds keys in (entries[i-1], entries[i]); skip gaps outside [lower, upper].
    const gapUseful = (i: number): boolean =>
      (lower === undefined || i === n || entries[i]!.key > lower) &&
      (upper === undefined || i === 0 || entries[i - 1]!.key < upper)
    if (!reverse) {
      for (let i = 0; i <= n; i++) {
        const child = node.gap(i)
        if (child && gapUseful(i)) yield* this.walkRange(child, lower, upper, inRange, false)
        if (i < n) {
          const entry = entries[i]!
          if (upper !== undefined && entry.key > upper) return
          if (inRange(entry.key)) yield { key: entry.key, value: entry.value }
        }
      }
    } else {
      for (let i = n; i >= 0; i--) {
        if (i < n) {
          const entry = entries[i]!
          if (lower !== undefined && entry.key < lower) return
          if (inRange(entry.key)) yield { key: entry.key, value: entry.value }
        }
        const child = node.gap(i)
        if (child && gapUseful(i)) yield* this.walkRange(child, lower, upper, inRange, true)
      }
    }
  }

  // ---- writes ---------------------------------------------------------------

  /** Mark a node as about to change: its old CID (if any) leaves the tree. */
  private touch(node: Node): void {
    if (!node.cid) return
    const key = node.cid.toString()
    if (!this.pending.delete(key)) this.displaced.set(key, node.cid)
    node.cid = null
    node.bytes = null
  }

  /** Insert or replace. Returns the previous value (null if the key was new). */
  put(key: string, value: CID): CID | null {
    ensureValidMstKey(key)
    return this.putUnchecked(key, value)
  }

  /** As put, without key validation (interop vectors use keys outside the record-path charset). */
  putUnchecked(key: string, value: CID): CID | null {
    const height = keyHeight(key)
    let root = this.load(this.root)
    if (root.isEmpty()) {
      this.touch(root)
      root.layer = height
    }
    while (root.layer < height) {
      root = Node.fresh(root.layer + 1, root)
      this.root = root
    }
    const result = this.insert(root, key, height, value)
    return result === UNCHANGED ? value : result
  }

  private insert(node: Node, key: string, height: number, value: CID): CID | null | typeof UNCHANGED {
    const i = node.lowerBound(key)
    if (node.layer === height) {
      const entry = node.entries[i]
      if (entry && entry.key === key) {
        if (entry.value.equals(value)) return UNCHANGED
        this.touch(node)
        const prev = entry.value
        entry.value = value
        return prev
      }
      this.touch(node)
      const [lo, hi] = this.split(node.gap(i), key)
      node.setGap(i, lo)
      node.entries.splice(i, 0, { key, value, right: hi })
      return null
    }
    let child = node.gap(i)
    if (child) this.load(child)
    else {
      child = Node.fresh(node.layer - 1)
      this.touch(node)
      node.setGap(i, child)
    }
    const result = this.insert(child, key, height, value)
    if (result !== UNCHANGED) this.touch(node)
    return result
  }

  /** Split a subtree around a key that it does not contain. */
  private split(node: Node | null, key: string): [Node | null, Node | null] {
    if (!node) return [null, null]
    this.load(node)
    this.touch(node)
    const i = node.lowerBound(key)
    const [gapLo, gapHi] = this.split(node.gap(i), key)
    const hi = Node.fresh(node.layer, gapHi, node.entries.slice(i))
    node.entries.length = i
    node.setGap(i, gapLo)
    return [node.isEmpty() ? null : node, hi.isEmpty() ? null : hi]
  }

  /** Remove a key. Returns its value, or null if it was absent. */
  delete(key: string): CID | null {
    const height = keyHeight(key)
    let root = this.load(this.root)
    if (root.layer < height) return null
    const prev = this.remove(root, key, height)
    if (prev === null) return null
    // The root is trimmed while it holds only a subtree pointer.
    while (root.entries.length === 0 && root.left) {
      this.touch(root)
      root = this.load(root.left)
      this.root = root
    }
    if (root.isEmpty()) root.layer = 0
    return prev
  }

  private remove(node: Node, key: string, height: number): CID | null {
    const i = node.lowerBound(key)
    if (node.layer === height) {
      const entry = node.entries[i]
      if (!entry || entry.key !== key) return null
      this.touch(node)
      const merged = this.merge(node.gap(i), entry.right)
      node.entries.splice(i, 1)
      node.setGap(i, merged)
      return entry.value
    }
    const child = node.gap(i)
    if (!child) return null
    this.load(child)
    const prev = this.remove(child, key, height)
    if (prev === null) return null
    this.touch(node)
    if (child.isEmpty()) node.setGap(i, null)
    return prev
  }

  /** Join two adjacent subtrees of one layer (all keys of a < all keys of b). */
  private merge(a: Node | null, b: Node | null): Node | null {
    if (!a) return b
    if (!b) return a
    this.load(a)
    this.load(b)
    this.touch(a)
    this.touch(b)
    const last = a.entries.length
    a.setGap(last, this.merge(a.gap(last), b.left))
    for (const entry of b.entries) a.entries.push(entry)
    return a
  }

  // ---- hashing ----------------------------------------------------------------

  /** Root CID, hashing dirty nodes (their blocks are kept for collectChanges). */
  rootCid(): CID {
    return hashNode(this.root, (cid, bytes) => {
      const key = cid.toString()
      // A node rebuilt identical to a displaced one is neither new nor removed.
      if (!this.displaced.delete(key)) this.pending.set(key, { cid, bytes })
    })
  }

  /** New node blocks and removed node CIDs since the last collect; resets both. */
  collectChanges(): MstChanges {
    const root = this.rootCid()
    const changes = { root, newBlocks: this.pending, removedCids: [...this.displaced.values()] }
    this.pending = new Map()
    this.displaced = new Map()
    return changes
  }
}

const UNCHANGED = Symbol('unchanged')
