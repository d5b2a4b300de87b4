// CAR v1: streaming writer and a verifying reader (every block hash is checked against its CID).
import { CID, encodeCbor, decodeCbor, readSha256Cid, DAG_CBOR, RAW, SHA256_CID_LENGTH } from './cbor.ts'

export interface CarBlock {
  cid: CID
  bytes: Uint8Array
}

export interface ReadCarOptions {
  /** Reject a CAR larger than this many bytes. */
  maxBytes?: number
  /** Reject a CAR with more blocks than this. */
  maxBlocks?: number
}

export interface CarContents {
  roots: CID[]
  blocks: Map<string, CarBlock>
}

export class InvalidCarError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidCarError'
  }
}

const SHA2_256 = 0x12
const MAX_HEADER_BYTES = 1024 * 1024

// ---- writing ----------------------------------------------------------------

function varint(n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return Uint8Array.from(out)
}

function carHeaderCbor(root: CID | null): Uint8Array {
  return encodeCbor({ version: 1, roots: root ? [root] : [] })
}

export function carHeader(root: CID | null): Uint8Array {
  const header = carHeaderCbor(root)
  return concat([varint(header.length), header])
}

export function carBlockFrame(block: CarBlock): Uint8Array {
  const cidBytes = block.cid.bytes
  return concat([varint(cidBytes.length + block.bytes.length), cidBytes, block.bytes])
}

/** Output chunk size of writeCar: frames are packed into chunks of about this size. */
const CHUNK_BYTES = 64 * 1024
const EMPTY = new Uint8Array(0)

/**
 * Packs block frames into fixed-size chunks so a stream of small blocks costs few allocations.
 * `reuse`: two chunk buffers take turns, so a chunk handed out is overwritten once the one after it
 * is complete: for consumers that copy each chunk before asking for the next (an HTTP response).
 */
class FramePacker {
  private chunk = new Uint8Array(CHUNK_BYTES)
  private spare: Uint8Array<ArrayBuffer> | null
  private pos = 0
  /** Chunks completed and not yet handed out. */
  ready: Uint8Array[] = []

  constructor(reuse = false) {
    this.spare = reuse ? new Uint8Array(CHUNK_BYTES) : null
  }

  add(cidBytes: Uint8Array, bytes: Uint8Array): void {
    const size = cidBytes.length + bytes.length
    const frameSize = varintLength(size) + size
    if (this.pos + frameSize > this.chunk.length) {
      this.flush()
      if (frameSize > this.chunk.length) this.chunk = new Uint8Array(frameSize) // one oversized block
    }
    const chunk = this.chunk
    let pos = this.pos
    let n = size
    while (n >= 0x80) {
      chunk[pos++] = (n & 0x7f) | 0x80
      n = Math.floor(n / 0x80)
    }
    chunk[pos++] = n
    chunk.set(cidBytes, pos)
    chunk.set(bytes, pos + cidBytes.length)
    this.pos = pos + size
  }

  flush(): void {
    if (this.pos === 0) return
    this.ready.push(this.chunk.subarray(0, this.pos))
    if (this.spare) {
      const next = this.spare
      this.spare = this.chunk
      this.chunk = next
    } else this.chunk = new Uint8Array(CHUNK_BYTES)
    this.pos = 0
  }
}

function varintLength(n: number): number {
  let length = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    length++
  }
  return length
}

/**
 * Stream a CAR: the header, then the block frames packed into ~64 KB chunks; never holds more
 * than one chunk. A synchronous block source is read synchronously between chunks.
 */
export async function* writeCar(
  root: CID | null,
  blocks: Iterable<CarBlock> | AsyncIterable<CarBlock>,
): AsyncGenerator<Uint8Array> {
  const packer = new FramePacker()
  packer.add(EMPTY, carHeaderCbor(root))
  if (Symbol.iterator in blocks) {
    for (const block of blocks) {
      packer.add(block.cid.bytes, block.bytes)
      if (packer.ready.length > 0) yield* takeReady(packer)
    }
  } else {
    for await (const block of blocks) {
      packer.add(block.cid.bytes, block.bytes)
      if (packer.ready.length > 0) yield* takeReady(packer)
    }
  }
  packer.flush()
  yield* takeReady(packer)
}

/**
 * A CAR built from raw frames (binary CID, block bytes) by a synchronous source, for sources that
 * never build CID objects, such as a full-repo export straight from the block table. Each frame is
 * copied into the current chunk, so a source may reuse its buffers. Two ~64 KB chunk buffers take
 * turns: a chunk returned by add() or end() is valid only until the next chunk is complete.
 */
export class CarChunkWriter {
  private readonly packer = new FramePacker(true)

  constructor(root: CID | null) {
    this.packer.add(EMPTY, carHeaderCbor(root))
  }

  /** Adds a frame; returns the chunk this completed, if any. */
  add(cidBytes: Uint8Array, bytes: Uint8Array): Uint8Array | null {
    this.packer.add(cidBytes, bytes)
    return this.packer.ready.length > 0 ? this.packer.ready.pop()! : null
  }

  /** The last chunk (null when empty). */
  end(): Uint8Array | null {
    this.packer.flush()
    return this.packer.ready.pop() ?? null
  }
}

function takeReady(packer: FramePacker): Uint8Array[] {
  const ready = packer.ready
  packer.ready = []
  return ready
}

/** Synchronous whole-file CAR for small payloads (firehose diffs, proofs). */
export function carToBytes(root: CID | null, blocks: Iterable<CarBlock>): Uint8Array {
  const parts = [carHeader(root)]
  for (const block of blocks) parts.push(carBlockFrame(block))
  return concat(parts)
}

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

// ---- reading ----------------------------------------------------------------

/** Decode a varint at `pos`; returns [value, next position] or null if truncated. */
function readVarint(bytes: Uint8Array, pos: number): [number, number] | null {
  let value = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    if (pos + i >= bytes.length) return null
    const byte = bytes[pos + i]!
    value += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) {
      if (i > 0 && byte === 0) throw new InvalidCarError('non-minimal varint')
      return [value, pos + i + 1]
    }
    scale *= 0x80
  }
  throw new InvalidCarError('varint too long')
}

function parseHeader(bytes: Uint8Array): CID[] {
  let header: any
  try {
    header = decodeCbor(bytes)
  } catch (err) {
    throw new InvalidCarError(`CAR header is not DAG-CBOR: ${(err as Error).message}`)
  }
  if (!header || typeof header !== 'object' || header.version !== 1) {
    throw new InvalidCarError('CAR header must be {version: 1, roots}')
  }
  if (!Array.isArray(header.roots)) throw new InvalidCarError('CAR header roots must be an array')
  return header.roots.map((root: unknown) => {
    const cid = CID.asCID(root)
    if (!cid) throw new InvalidCarError('CAR root is not a CID')
    return cid
  })
}

const digestScratch = new Uint8Array(32)

/**
 * Parse a CID at the start of a block section and check the block against its hash.
 * The returned CID and bytes are views into `section` (no copy).
 */
function parseBlock(section: Uint8Array): CarBlock {
  let cid: CID | null = readSha256Cid(section, 0)
  let bytes: Uint8Array
  if (cid) bytes = section.subarray(SHA256_CID_LENGTH)
  else {
    try {
      ;[cid, bytes] = CID.decodeFirst(section) as [CID, Uint8Array]
    } catch (err) {
      throw new InvalidCarError(`bad CID in CAR block: ${(err as Error).message}`)
    }
  }
  if (cid.version !== 1) throw new InvalidCarError('CAR block CID must be CIDv1')
  if (cid.code !== DAG_CBOR && cid.code !== RAW) {
    throw new InvalidCarError(`unsupported codec 0x${cid.code.toString(16)} in CAR`)
  }
  if (cid.multihash.code !== SHA2_256 || cid.multihash.size !== 32) {
    throw new InvalidCarError('CAR block CID must use sha2-256')
  }
  const digest = Bun.SHA256.hash(bytes, digestScratch) as Uint8Array
  const expected = cid.multihash.digest
  for (let i = 0; i < 32; i++) {
    if (digest[i] !== expected[i]) throw new InvalidCarError(`block does not match CID ${cid.toString()}`)
  }
  return { cid, bytes }
}

/**
 * Read a whole CAR held in memory. Throws InvalidCarError on anything malformed.
 * Block bytes and CIDs are views into `bytes` (no copies): do not modify `bytes` afterwards,
 * and copy a block that must outlive a large CAR.
 */
export function readCar(bytes: Uint8Array, opts: ReadCarOptions = {}): CarContents {
  if (opts.maxBytes !== undefined && bytes.length > opts.maxBytes) {
    throw new InvalidCarError(`CAR is larger than ${opts.maxBytes} bytes`)
  }
  // Views of a Buffer are slow to make (species lookup); work on a plain Uint8Array view.
  if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = readVarint(bytes, 0)
  if (!headerLen) throw new InvalidCarError('CAR is truncated (header length)')
  const [length, start] = headerLen
  if (length === 0 || length > MAX_HEADER_BYTES) throw new InvalidCarError('CAR header length is invalid')
  if (start + length > bytes.length) throw new InvalidCarError('CAR is truncated (header)')
  const roots = parseHeader(bytes.subarray(start, start + length))
  const blocks = new Map<string, CarBlock>()
  let pos = start + length
  let count = 0
  while (pos < bytes.length) {
    const frame = readVarint(bytes, pos)
    if (!frame) throw new InvalidCarError('CAR is truncated (block length)')
    const [size, bodyStart] = frame
    if (size === 0) throw new InvalidCarError('empty CAR block section')
    if (bodyStart + size > bytes.length) throw new InvalidCarError('CAR is truncated (block)')
    if (opts.maxBlocks !== undefined && ++count > opts.maxBlocks) {
      throw new InvalidCarError(`CAR has more than ${opts.maxBlocks} blocks`)
    }
    const block = parseBlock(bytes.subarray(bodyStart, bodyStart + size))
    blocks.set(block.cid.toString(), block)
    pos = bodyStart + size
  }
  return { roots, blocks }
}

/**
 * Read a CAR from a byte stream: resolves the roots once the header is in, and yields
 * verified blocks as they arrive. Buffers at most one block beyond the current chunk.
 * Block bytes and CIDs are views into the received chunks (no copies).
 */
export async function readCarStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: ReadCarOptions = {},
): Promise<{ roots: CID[]; blocks: AsyncGenerator<CarBlock> }> {
  const iterator = (chunks as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]
    ? (chunks as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
    : toAsync(chunks as Iterable<Uint8Array>)
  let buffer: Uint8Array = new Uint8Array(0)
  let total = 0
  let ended = false
  const pull = async (): Promise<boolean> => {
    if (ended) return false
    const next = await iterator.next()
    if (next.done) {
      ended = true
      return false
    }
    total += next.value.length
    if (opts.maxBytes !== undefined && total > opts.maxBytes) {
      throw new InvalidCarError(`CAR is larger than ${opts.maxBytes} bytes`)
    }
    buffer = buffer.length === 0 ? next.value : concat([buffer, next.value])
    return true
  }
  // Take one length-prefixed section from the buffer, pulling more input as needed.
  const section = async (what: string): Promise<Uint8Array | null> => {
    for (;;) {
      const frame = buffer.length > 0 ? readVarint(buffer, 0) : null
      if (frame && frame[1] + frame[0] <= buffer.length) {
        const [size, start] = frame
        if (size === 0) throw new InvalidCarError(`empty CAR ${what} section`)
        const body = buffer.subarray(start, start + size)
        buffer = buffer.subarray(start + size)
        return body
      }
      if (frame && what === 'header' && frame[0] > MAX_HEADER_BYTES) {
        throw new InvalidCarError('CAR header length is invalid')
      }
      if (!(await pull())) {
        if (buffer.length === 0 && what === 'block') return null
        throw new InvalidCarError(`CAR is truncated (${what})`)
      }
    }
  }
  const header = await section('header')
  const roots = parseHeader(header!)
  async function* blocks(): AsyncGenerator<CarBlock> {
    let count = 0
    for (;;) {
      const body = await section('block')
      if (!body) return
      if (opts.maxBlocks !== undefined && ++count > opts.maxBlocks) {
        throw new InvalidCarError(`CAR has more than ${opts.maxBlocks} blocks`)
      }
      yield parseBlock(body)
    }
  }
  return { roots, blocks: blocks() }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items
}
