// In-memory MST node and its exact DAG-CBOR form {l: CID|null, e: [{p, k, v, t}]}.
// Encoding is hand-rolled (nodes are the hottest thing we hash); a test checks it is
// byte-identical to @ipld/dag-cbor. Decoding reads the canonical shape directly and hands
// anything else to the generic decoder, so both accept and reject exactly the same bytes.
import { CID, asciiSlice, cidForCborBytes, decodeCbor, isAsciiRange, readSha256Cid } from '../cbor.ts'
import { commonPrefixLength } from './util.ts'

export interface Entry {
  key: string
  value: CID
  right: Node | null
}

/**
 * A node of the working tree. A stub (loaded = false) only knows its CID and layer;
 * the tree loads it on first touch. `cid === null` means dirty (changed since hashed).
 */
export class Node {
  layer: number
  cid: CID | null
  bytes: Uint8Array | null = null
  loaded: boolean
  left: Node | null = null
  entries: Entry[] = []

  constructor(layer: number, cid: CID | null, loaded: boolean) {
    this.layer = layer
    this.cid = cid
    this.loaded = loaded
  }

  static stub(cid: CID, layer: number): Node {
    return new Node(layer, cid, false)
  }

  static fresh(layer: number, left: Node | null = null, entries: Entry[] = []): Node {
    const node = new Node(layer, null, true)
    node.left = left
    node.entries = entries
    return node
  }

  isEmpty(): boolean {
    return this.entries.length === 0 && this.left === null
  }

  /** Subtree in gap i: before entry i (gap 0 is `left`, gap n follows the last entry). */
  gap(i: number): Node | null {
    return i === 0 ? this.left : this.entries[i - 1]!.right
  }

  setGap(i: number, child: Node | null): void {
    if (i === 0) this.left = child
    else this.entries[i - 1]!.right = child
  }

  /** Index of the first entry whose key is >= key. */
  lowerBound(key: string): number {
    const entries = this.entries
    let lo = 0
    let hi = entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (entries[mid]!.key < key) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

export class InvalidMstNodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidMstNodeError'
  }
}

// ---- encoding -------------------------------------------------------------

class ByteWriter {
  buf = new Uint8Array(4096)
  pos = 0

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  header(major: number, n: number): void {
    this.ensure(9)
    const b = this.buf
    const m = major << 5
    if (n < 24) b[this.pos++] = m | n
    else if (n < 0x100) {
      b[this.pos++] = m | 24
      b[this.pos++] = n
    } else if (n < 0x10000) {
      b[this.pos++] = m | 25
      b[this.pos++] = n >> 8
      b[this.pos++] = n & 0xff
    } else {
      b[this.pos++] = m | 26
      b[this.pos++] = (n >>> 24) & 0xff
      b[this.pos++] = (n >> 16) & 0xff
      b[this.pos++] = (n >> 8) & 0xff
      b[this.pos++] = n & 0xff
    }
  }

  byte(v: number): void {
    this.ensure(1)
    this.buf[this.pos++] = v
  }

  /** One-char text string (map keys "e", "l", "k", "p", "t", "v"). */
  key(charCode: number): void {
    this.ensure(2)
    this.buf[this.pos++] = 0x61
    this.buf[this.pos++] = charCode
  }

  asciiBytes(s: string, from: number): void {
    const n = s.length - from
    this.header(2, n)
    this.ensure(n)
    for (let i = from; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i)
  }

  cid(cid: CID | null): void {
    if (cid === null) return this.byte(0xf6)
    const bytes = cid.bytes
    this.ensure(2)
    this.buf[this.pos++] = 0xd8 // tag(42)
    this.buf[this.pos++] = 42
    this.header(2, bytes.length + 1)
    this.ensure(bytes.length + 1)
    this.buf[this.pos++] = 0 // multibase identity prefix required by DAG-CBOR
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }
}

const E = 0x65, K = 0x6b, L = 0x6c, P = 0x70, T = 0x74, V = 0x76

// One scratch writer for all encodes (encoding is synchronous; result() copies out).
const writer = new ByteWriter()

/** DAG-CBOR bytes of a node whose children all have CIDs. Map keys in canonical order. */
export function encodeNode(node: Node): Uint8Array {
  const w = writer
  w.pos = 0
  w.header(5, 2)
  w.key(E)
  w.header(4, node.entries.length)
  let prevKey = ''
  for (const entry of node.entries) {
    const prefix = commonPrefixLength(prevKey, entry.key)
    w.header(5, 4)
    w.key(K)
    w.asciiBytes(entry.key, prefix)
    w.key(P)
    w.header(0, prefix)
    w.key(T)
    w.cid(entry.right ? childCid(entry.right) : null)
    w.key(V)
    w.cid(entry.value)
    prevKey = entry.key
  }
  w.key(L)
  w.cid(node.left ? childCid(node.left) : null)
  return w.result()
}

function childCid(node: Node): CID {
  if (node.cid === null) throw new Error('MST child must be hashed before its parent')
  return node.cid
}

// ---- decoding -------------------------------------------------------------

interface NodeData {
  l: CID | null
  e: Array<{ p: number; k: Uint8Array; v: CID; t: CID | null }>
}

function asCidOrNull(value: unknown, what: string): CID | null {
  if (value === null) return null
  const cid = CID.asCID(value)
  if (!cid) throw new InvalidMstNodeError(`MST node ${what} is not a CID`)
  return cid
}

/** Fill a stub from its block bytes. Children become stubs one layer down. */
export function decodeNodeInto(node: Node, bytes: Uint8Array): void {
  const known = node.cid ? recentNodes.get(node.cid.toString()) : undefined
  if (known) fillFromRecent(node, known)
  else {
    if (!decodeCanonicalNodeInto(node, bytes)) decodeGenericNodeInto(node, bytes)
    if (node.cid) rememberNode(node.cid, node)
  }
  node.bytes = bytes
  node.loaded = true
}

/**
 * Recently hashed or decoded nodes by CID, decoded (keys and CIDs): a repo's next commit loads the
 * nodes its last one wrote, and decoding them again (a CID object per link) was ~45 µs of a write.
 * Content-addressed, so never stale; bounded (least recently used out).
 */
type RecentNode = { left: CID | null; entries: Array<{ key: string; value: CID; right: CID | null }> }
const RECENT_NODES_MAX = 256
const recentNodes = new Map<string, RecentNode>()

function rememberNode(cid: CID, node: Node): void {
  const key = cid.toString()
  recentNodes.delete(key)
  recentNodes.set(key, {
    left: node.left?.cid ?? null,
    entries: node.entries.map((e) => ({ key: e.key, value: e.value, right: e.right?.cid ?? null })),
  })
  if (recentNodes.size > RECENT_NODES_MAX) recentNodes.delete(recentNodes.keys().next().value!)
}

function fillFromRecent(node: Node, known: RecentNode): void {
  const childLayer = node.layer - 1
  node.left = known.left ? Node.stub(known.left, childLayer) : null
  node.entries = known.entries.map((e) => ({ key: e.key, value: e.value, right: e.right ? Node.stub(e.right, childLayer) : null }))
}

/** The generic path: any DAG-CBOR, full shape checks with precise errors. */
export function decodeGenericNodeInto(node: Node, bytes: Uint8Array): void {
  let data: NodeData
  try {
    data = decodeCbor<NodeData>(bytes)
  } catch (err) {
    throw new InvalidMstNodeError(`MST node is not DAG-CBOR: ${(err as Error).message}`)
  }
  if (!data || typeof data !== 'object' || !Array.isArray(data.e) || !('l' in data)) {
    throw new InvalidMstNodeError('MST node must be {l, e}')
  }
  const childLayer = node.layer - 1
  const left = asCidOrNull(data.l, 'l')
  node.left = left ? Node.stub(left, childLayer) : null
  const entries: Entry[] = new Array(data.e.length)
  let prevKey = ''
  for (let i = 0; i < data.e.length; i++) {
    const e = data.e[i]!
    if (!e || typeof e.p !== 'number' || !(e.k instanceof Uint8Array)) {
      throw new InvalidMstNodeError('MST entry must have p (int) and k (bytes)')
    }
    if (e.p > prevKey.length || !Number.isInteger(e.p) || e.p < 0) {
      throw new InvalidMstNodeError('MST entry prefix longer than previous key')
    }
    let suffix = ''
    for (const byte of e.k) {
      if (byte > 0x7f) throw new InvalidMstNodeError('MST key is not ASCII')
      suffix += String.fromCharCode(byte)
    }
    const key = prevKey.slice(0, e.p) + suffix
    if (i > 0 && key <= prevKey) throw new InvalidMstNodeError('MST entries are not sorted')
    const value = asCidOrNull(e.v, 'v')
    if (!value) throw new InvalidMstNodeError('MST entry value is null')
    const right = asCidOrNull(e.t, 't')
    entries[i] = { key, value, right: right ? Node.stub(right, childLayer) : null }
    prevKey = key
  }
  node.entries = entries
}

// ---- fast decoding of the canonical node shape ----------------------------
// {e: [{k: bytes, p: uint, t: CID|null, v: CID}...], l: CID|null}, minimal lengths, CIDv1
// sha2-256 links, ASCII keys, strictly sorted. Returns false (having changed nothing) on any
// deviation; the generic path then decides, so errors stay exactly as before.

const NOT_CANONICAL = -1

/** Minimal-length CBOR head of the given major type at pos; its argument, or NOT_CANONICAL. */
function head(bytes: Uint8Array, pos: number, major: number): number {
  const b = bytes[pos]
  if (b === undefined || b >> 5 !== major) return NOT_CANONICAL
  const info = b & 31
  if (info < 24) return info
  if (info === 24) {
    const v = bytes[pos + 1]
    return v === undefined || v < 24 ? NOT_CANONICAL : v
  }
  if (info === 25) {
    if (pos + 2 >= bytes.length) return NOT_CANONICAL
    const v = (bytes[pos + 1]! << 8) | bytes[pos + 2]!
    return v < 0x100 ? NOT_CANONICAL : v
  }
  return NOT_CANONICAL // larger arguments never occur in a node; let the generic path judge
}

/** Bytes taken by the head read by head() for argument n (which was minimal). */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : 3
}

// tag 42, bytes(37), identity multibase prefix 0x00
const LINK_PREFIX = [0xd8, 0x2a, 0x58, 0x25, 0x00]
const LINK_SIZE = LINK_PREFIX.length + 36
const NULL = 0xf6

/** A link or null at pos: the CID, null, or undefined when not in canonical fast form. */
function link(bytes: Uint8Array, pos: number): CID | null | undefined {
  if (bytes[pos] === NULL) return null
  for (let i = 0; i < LINK_PREFIX.length; i++) if (bytes[pos + i] !== LINK_PREFIX[i]) return undefined
  return readSha256Cid(bytes, pos + LINK_PREFIX.length) ?? undefined
}

function linkSize(value: CID | null): number {
  return value === null ? 1 : LINK_SIZE
}

function isKey(bytes: Uint8Array, pos: number, charCode: number): boolean {
  return bytes[pos] === 0x61 && bytes[pos + 1] === charCode
}

/** Exported for tests (which check the fast path is really taken). */
export function decodeCanonicalNodeInto(node: Node, bytes: Uint8Array): boolean {
  if (bytes[0] !== 0xa2 || !isKey(bytes, 1, E)) return false
  const count = head(bytes, 3, 4)
  if (count === NOT_CANONICAL) return false
  let pos = 3 + headSize(count)
  const childLayer = node.layer - 1
  const entries: Entry[] = new Array(count)
  let prevKey = ''
  for (let i = 0; i < count; i++) {
    if (bytes[pos] !== 0xa4 || !isKey(bytes, pos + 1, K)) return false
    const suffixLength = head(bytes, pos + 3, 2)
    if (suffixLength === NOT_CANONICAL) return false
    const suffixStart = pos + 3 + headSize(suffixLength)
    const suffixEnd = suffixStart + suffixLength
    pos = suffixEnd
    if (pos > bytes.length || !isKey(bytes, pos, P)) return false
    const prefix = head(bytes, pos + 2, 0)
    if (prefix === NOT_CANONICAL || prefix > prevKey.length) return false
    pos += 2 + headSize(prefix)
    if (!isKey(bytes, pos, T)) return false
    const right = link(bytes, pos + 2)
    if (right === undefined) return false
    pos += 2 + linkSize(right)
    if (!isKey(bytes, pos, V)) return false
    const value = link(bytes, pos + 2)
    if (!value) return false
    pos += 2 + LINK_SIZE
    if (!isAsciiRange(bytes, suffixStart, suffixEnd)) return false
    const suffix = asciiSlice(bytes, suffixStart, suffixEnd)
    const key = prefix === 0 ? suffix : prevKey.slice(0, prefix) + suffix
    if (i > 0 && key <= prevKey) return false
    entries[i] = { key, value, right: right ? Node.stub(right, childLayer) : null }
    prevKey = key
  }
  if (!isKey(bytes, pos, L)) return false
  const left = link(bytes, pos + 2)
  if (left === undefined || pos + 2 + linkSize(left) !== bytes.length) return false
  node.left = left ? Node.stub(left, childLayer) : null
  node.entries = entries
  return true
}

/** Hash a node (children first) and report each freshly hashed block. */
export function hashNode(node: Node, onBlock: (cid: CID, bytes: Uint8Array) => void): CID {
  if (node.cid) return node.cid
  if (node.left && !node.left.cid) hashNode(node.left, onBlock)
  for (const entry of node.entries) {
    if (entry.right && !entry.right.cid) hashNode(entry.right, onBlock)
  }
  const bytes = encodeNode(node)
  const cid = cidForCborBytes(bytes)
  node.cid = cid
  node.bytes = bytes
  rememberNode(cid, node)
  onBlock(cid, bytes)
  return cid
}
