// In-memory MST node and its exact DAG-CBOR form {l: CID|null, e: [{p, k, v, t}]}.
// Encoding is hand-rolled (nodes are the hottest thing we hash); a test checks it is
// byte-identical to @ipld/dag-cbor. Decoding goes through the shared decoder.
import { CID, cidForCborBytes, decodeCbor } from '../cbor.ts'
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
  buf = new Uint8Array(512)
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

/** DAG-CBOR bytes of a node whose children all have CIDs. Map keys in canonical order. */
export function encodeNode(node: Node): Uint8Array {
  const w = new ByteWriter()
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
  node.bytes = bytes
  node.loaded = true
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
  onBlock(cid, bytes)
  return cid
}
