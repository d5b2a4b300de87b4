// DAG-CBOR encoding and CID computation: the one place the rest of core gets them from.
// Hot paths (hashing, CID strings, CID parsing) avoid the generic libraries: sha256 is Bun's
// native one, and CIDs we create are `Sha256Cid`s whose base32 string is computed by a
// specialised encoder and cached (CID strings key every block map in core and storage).
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { Digest } from 'multiformats/hashes/digest'

export { CID }

export const DAG_CBOR = 0x71
export const RAW = 0x55
const SHA2_256 = 0x12
/** Byte length of a CIDv1 with a one-byte codec and a sha2-256 multihash. */
export const SHA256_CID_LENGTH = 36

export function encodeCbor(value: unknown): Uint8Array {
  return encodeCommonCbor(value) ?? dagCbor.encode(value)
}

export function decodeCbor<T = unknown>(bytes: Uint8Array): T {
  const fast = decodeCommonCbor(bytes)
  return (fast === NOT_COMMON ? dagCbor.decode(bytes) : fast) as T
}

export function sha256Bytes(bytes: Uint8Array): Uint8Array {
  return Bun.SHA256.hash(bytes, new Uint8Array(32)) as Uint8Array
}

// ---- strings ----------------------------------------------------------------

// Buffer's native latin1 slicing reads a range without creating a view (in JSC a view makes its
// parent materialise an ArrayBuffer) and without building the string char by char.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string })
  .latin1Slice
const utf8Decoder = new TextDecoder()

/** True when bytes[start, end) are all ASCII. */
export function isAsciiRange(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! > 0x7f) return false
  return true
}

/** Text of an ASCII range (check with isAsciiRange first). */
export function asciiSlice(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(bytes, start, end)
}

/** UTF-8 text of a range, invalid sequences replaced as TextDecoder does (as @ipld/dag-cbor does). */
export function utf8Slice(bytes: Uint8Array, start: number, end: number): string {
  if (isAsciiRange(bytes, start, end)) return latin1Slice.call(bytes, start, end)
  return utf8Decoder.decode(bytes.subarray(start, end))
}

// ---- CID strings ------------------------------------------------------------

const BASE32_CODES = new Uint8Array(32)
for (let i = 0; i < 32; i++) BASE32_CODES[i] = 'abcdefghijklmnopqrstuvwxyz234567'.charCodeAt(i)
const latin1 = new TextDecoder('latin1')
const base32Scratch = new Uint8Array(128)

/** Multibase base32 (lowercase, unpadded, 'b' prefix): CID.toString() of a CIDv1. */
function base32Multibase(bytes: Uint8Array): string {
  const out = bytes.length <= 75 ? base32Scratch : new Uint8Array(2 + Math.ceil((bytes.length * 8) / 5))
  let o = 0
  out[o++] = 0x62 // 'b'
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | bytes[i]!) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out[o++] = BASE32_CODES[(buffer >> bits) & 31]!
    }
  }
  if (bits > 0) out[o++] = BASE32_CODES[(buffer << (5 - bits)) & 31]!
  return latin1.decode(out.subarray(0, o))
}

const BASE32_VALUES = new Int8Array(128).fill(-1)
for (let i = 0; i < 32; i++) BASE32_VALUES[BASE32_CODES[i]!] = i

/**
 * Decode multibase base32 ('b' then RFC 4648 lowercase, unpadded) into `out`; returns the byte count,
 * or -1 for anything else or anything multiformats' decoder refuses (a character outside the
 * alphabet, leftover bits that are not zero) or that does not fit.
 */
export function decodeBase32Multibase(text: string, out: Uint8Array): number {
  if (text.charCodeAt(0) !== 0x62 /* b */) return -1
  let value = 0
  let bits = 0
  let length = 0
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? BASE32_VALUES[c]! : -1
    if (v < 0) return -1
    value = ((value << 5) | v) & 0xfff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      if (length === out.length) return -1
      out[length++] = (value >>> bits) & 0xff
    }
  }
  if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0) return -1
  return length
}

/** Characters of a CIDv1 with a one-byte codec and a sha2-256 multihash in base32: 'b' + 58. */
const SHA256_CID_BASE32_LENGTH = 1 + Math.ceil((SHA256_CID_LENGTH * 8) / 5)

/**
 * CID.parse: the CIDs the repo is made of (v1, base32, one-byte codec, sha2-256) are decoded here,
 * anything else (and anything malformed, for its error) by multiformats. The result is the same CID.
 */
export function parseCid(text: string): CID {
  if (text.length === SHA256_CID_BASE32_LENGTH) {
    const bytes = new Uint8Array(SHA256_CID_LENGTH)
    if (decodeBase32Multibase(text, bytes) === SHA256_CID_LENGTH) {
      const cid = readSha256Cid(bytes, 0) as Sha256Cid | null
      if (cid) return cid.withString(text)
    }
  }
  return CID.parse(text)
}

/**
 * A CIDv1 built by core. Behaves exactly like multiformats' CID (it is one); only its default
 * string form is computed faster and remembered.
 */
class Sha256Cid extends CID {
  #string: string | undefined

  override toString(base?: Parameters<CID['toString']>[0]): string {
    if (base !== undefined) return super.toString(base)
    return (this.#string ??= base32Multibase(this.bytes))
  }

  /** Remembers the string it was parsed from (a canonical base32 string: what toString gives). */
  withString(text: string): this {
    this.#string = text
    return this
  }
}

/** Wrap 36 CID bytes (v1, one-byte codec, sha2-256) without copying or re-encoding them. */
function sha256CidOver(cidBytes: Uint8Array): CID {
  const digest = new Digest(SHA2_256, 32, cidBytes.subarray(4), cidBytes.subarray(2))
  return new Sha256Cid(1, cidBytes[1]!, digest, cidBytes) as CID
}

/**
 * Parse a CIDv1 (one-byte codec, sha2-256) at `offset`, or return null when the bytes are
 * something else (the caller then uses the generic parser). The CID is a view into `bytes`.
 */
export function readSha256Cid(bytes: Uint8Array, offset: number): CID | null {
  if (offset + SHA256_CID_LENGTH > bytes.length) return null
  if (bytes[offset] !== 1 || bytes[offset + 1]! >= 0x80) return null
  if (bytes[offset + 2] !== SHA2_256 || bytes[offset + 3] !== 32) return null
  return sha256CidOver(bytes.subarray(offset, offset + SHA256_CID_LENGTH))
}

export function cidForBytes(codec: number, bytes: Uint8Array): CID {
  if (codec >= 0x80) {
    const multihash = sha256Multihash(bytes)
    return CID.createV1(codec, new Digest(SHA2_256, 32, multihash.subarray(2), multihash))
  }
  const cidBytes = new Uint8Array(SHA256_CID_LENGTH)
  cidBytes[0] = 1
  cidBytes[1] = codec
  cidBytes[2] = SHA2_256
  cidBytes[3] = 32
  Bun.SHA256.hash(bytes, cidBytes.subarray(4))
  return sha256CidOver(cidBytes)
}

function sha256Multihash(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(34)
  out[0] = SHA2_256
  out[1] = 32
  Bun.SHA256.hash(bytes, out.subarray(2))
  return out
}

/** CID of already-encoded DAG-CBOR bytes. */
export function cidForCborBytes(bytes: Uint8Array): CID {
  return cidForBytes(DAG_CBOR, bytes)
}

/** CID of raw bytes (blobs). */
export function cidForRaw(bytes: Uint8Array): CID {
  return cidForBytes(RAW, bytes)
}

/** Encode a value and return its bytes with their CID. */
export function encodeBlock(value: unknown): { cid: CID; bytes: Uint8Array } {
  const bytes = encodeCbor(value)
  return { cid: cidForCborBytes(bytes), bytes }
}

// ---- fast decoding of common DAG-CBOR ---------------------------------------
// Records, commits and CAR headers use a small subset of DAG-CBOR: definite lengths, 32-bit
// integers, strings, bytes, maps with sorted string keys, CIDv1 sha2-256 links, booleans, null.
// That subset is decoded here directly, to the same values @ipld/dag-cbor produces (plain
// objects, copied byte strings, CIDs). Anything outside it, valid or not, goes to
// @ipld/dag-cbor, so results and errors are unchanged.

/** Returned by decodeCommonCbor for input outside the common subset. */
export const NOT_COMMON: unique symbol = Symbol('not common DAG-CBOR')
const MAX_FAST_DEPTH = 256

class NotCommon extends Error {}
const notCommon = new NotCommon()

let input: Uint8Array = new Uint8Array(0)
let at = 0

/** The fast decoder alone (exported for tests, which check it is really used). */
export function decodeCommonCbor(bytes: Uint8Array): unknown | typeof NOT_COMMON {
  if (!(bytes instanceof Uint8Array)) return NOT_COMMON
  // A plain view, so byte strings are copied as plain Uint8Arrays (Buffer.slice would share).
  if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  input = bytes
  at = 0
  try {
    const value = readValue(0)
    return at === bytes.length ? value : NOT_COMMON
  } catch (err) {
    if (err === notCommon) return NOT_COMMON
    throw err
  } finally {
    input = EMPTY_INPUT
  }
}
const EMPTY_INPUT = new Uint8Array(0)

/** Argument of the head at `at` (minimal encoding, at most 32 bits); advances past the head. */
function readArgument(info: number): number {
  if (info < 24) return info
  const bytes = input
  const p = at
  if (info === 24) {
    if (p >= bytes.length) throw notCommon
    const v = bytes[p]!
    if (v < 24) throw notCommon
    at = p + 1
    return v
  }
  if (info === 25) {
    if (p + 2 > bytes.length) throw notCommon
    const v = (bytes[p]! << 8) | bytes[p + 1]!
    if (v < 0x100) throw notCommon
    at = p + 2
    return v
  }
  if (info === 26) {
    if (p + 4 > bytes.length) throw notCommon
    const v = bytes[p]! * 0x1000000 + ((bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!)
    if (v < 0x10000) throw notCommon
    at = p + 4
    return v
  }
  throw notCommon // 64-bit arguments (BigInt territory) and indefinite lengths
}

function readString(length: number): string {
  const start = at
  const end = start + length
  if (end > input.length) throw notCommon
  at = end
  return utf8Slice(input, start, end)
}

function readValue(depth: number): unknown {
  const bytes = input
  if (at >= bytes.length) throw notCommon
  const initial = bytes[at++]!
  const major = initial >> 5
  const info = initial & 31
  switch (major) {
    case 0:
      return readArgument(info)
    case 1:
      return -1 - readArgument(info)
    case 2: {
      const length = readArgument(info)
      const end = at + length
      if (end > bytes.length) throw notCommon
      const out = bytes.slice(at, end)
      at = end
      return out
    }
    case 3:
      return readString(readArgument(info))
    case 4: {
      if (depth >= MAX_FAST_DEPTH) throw notCommon
      const length = readArgument(info)
      if (length > bytes.length - at) throw notCommon
      const out = new Array(length)
      for (let i = 0; i < length; i++) out[i] = readValue(depth + 1)
      return out
    }
    case 5:
      return readMap(readArgument(info), depth)
    case 6:
      return readLink(initial)
    default:
      if (initial === 0xf6) return null
      if (initial === 0xf5) return true
      if (initial === 0xf4) return false
      throw notCommon // floats, undefined, other simple values
  }
}

function readMap(count: number, depth: number): Record<string, unknown> {
  if (depth >= MAX_FAST_DEPTH || count > input.length - at) throw notCommon
  const out: Record<string, unknown> = {}
  let prevStart = 0
  let prevLength = -1
  for (let i = 0; i < count; i++) {
    const initial = input[at++]
    if (initial === undefined || initial >> 5 !== 3) throw notCommon
    const length = readArgument(initial & 31)
    const start = at
    // Keys must be strictly increasing in DAG-CBOR order (shorter first, then bytewise):
    // no duplicates, and the same object the generic decoder would build.
    if (prevLength !== -1 && !keyAfter(start, length, prevStart, prevLength)) throw notCommon
    const key = readString(length)
    if (key === '__proto__') throw notCommon
    out[key] = readValue(depth + 1)
    prevStart = start
    prevLength = length
  }
  return out
}

function keyAfter(start: number, length: number, prevStart: number, prevLength: number): boolean {
  if (length !== prevLength) return length > prevLength
  const bytes = input
  for (let i = 0; i < length; i++) {
    const a = bytes[start + i]
    const b = bytes[prevStart + i]
    if (a === undefined) throw notCommon
    if (a !== b) return a! > b!
  }
  return false
}

/** Tag 42 over bytes(37): 0x00 then a CIDv1 sha2-256 (other links take the generic path). */
function readLink(initial: number): CID {
  const bytes = input
  const p = at
  if (initial !== 0xd8 || bytes[p] !== 42 || bytes[p + 1] !== 0x58 || bytes[p + 2] !== 37 || bytes[p + 3] !== 0) {
    throw notCommon
  }
  const start = p + 4
  if (start + SHA256_CID_LENGTH > bytes.length) throw notCommon
  const cid = readSha256Cid(bytes.slice(start, start + SHA256_CID_LENGTH), 0)
  if (!cid) throw notCommon
  at = start + SHA256_CID_LENGTH
  return cid
}

// ---- fast encoding of common values -----------------------------------------
// The encoding counterpart: plain objects with ASCII keys, arrays, strings, 32-bit integers,
// booleans, null, byte arrays and CIDv1 sha2-256 links are written directly, byte-identical
// to @ipld/dag-cbor (tested on random values). Anything else (floats, big integers, other
// links, undefined, class instances, non-ASCII keys, ill-formed strings) goes to @ipld/dag-cbor,
// which encodes it or throws exactly as before.

const textEncoder = new TextEncoder()
let out = new Uint8Array(16 * 1024)
let outPos = 0

/** The fast encoder alone, null outside the common subset (exported for tests). */
export function encodeCommonCbor(value: unknown): Uint8Array | null {
  outPos = 0
  try {
    writeValue(value, 0)
  } catch (err) {
    if (err === notCommon) return null
    throw err
  }
  const bytes = out.slice(0, outPos)
  if (out.length > MAX_KEPT_SCRATCH) out = new Uint8Array(16 * 1024) // do not keep a huge buffer
  return bytes
}
const MAX_KEPT_SCRATCH = 1024 * 1024

function reserve(n: number): void {
  if (outPos + n <= out.length) return
  let size = out.length * 2
  while (size < outPos + n) size *= 2
  const next = new Uint8Array(size)
  next.set(out.subarray(0, outPos))
  out = next
}

function writeHead(major: number, n: number): void {
  reserve(5)
  const m = major << 5
  if (n < 24) out[outPos++] = m | n
  else if (n < 0x100) {
    out[outPos++] = m | 24
    out[outPos++] = n
  } else if (n < 0x10000) {
    out[outPos++] = m | 25
    out[outPos++] = n >> 8
    out[outPos++] = n & 0xff
  } else {
    out[outPos++] = m | 26
    out[outPos++] = (n >>> 24) & 0xff
    out[outPos++] = (n >> 16) & 0xff
    out[outPos++] = (n >> 8) & 0xff
    out[outPos++] = n & 0xff
  }
}

function writeString(s: string): void {
  const n = s.length
  let ascii = true
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false
      break
    }
  }
  if (ascii) {
    writeHead(3, n)
    reserve(n)
    for (let i = 0; i < n; i++) out[outPos++] = s.charCodeAt(i)
    return
  }
  if (!s.isWellFormed()) throw notCommon // lone surrogates: leave them to the generic encoder
  const bytes = textEncoder.encode(s)
  writeHead(3, bytes.length)
  reserve(bytes.length)
  out.set(bytes, outPos)
  outPos += bytes.length
}

function writeValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      return writeString(value)
    case 'number':
      if (!Number.isInteger(value) || value > 0xffffffff || value < -0x100000000 || Object.is(value, -0)) throw notCommon
      return value >= 0 ? writeHead(0, value) : writeHead(1, -1 - value)
    case 'boolean':
      reserve(1)
      out[outPos++] = value ? 0xf5 : 0xf4
      return
    case 'object':
      break
    default:
      throw notCommon
  }
  if (value === null) {
    reserve(1)
    out[outPos++] = 0xf6
    return
  }
  if (depth >= MAX_FAST_DEPTH) throw notCommon
  if (Array.isArray(value)) {
    const n = value.length
    writeHead(4, n)
    for (let i = 0; i < n; i++) writeValue(value[i], depth + 1)
    return
  }
  if (value instanceof Uint8Array) {
    if (value.constructor !== Uint8Array && !Buffer.isBuffer(value)) throw notCommon
    writeHead(2, value.length)
    reserve(value.length)
    out.set(value, outPos)
    outPos += value.length
    return
  }
  if (value instanceof CID) {
    const bytes = value.bytes
    if (value.version !== 1 || bytes.length !== SHA256_CID_LENGTH || value.multihash.code !== SHA2_256) throw notCommon
    reserve(5 + SHA256_CID_LENGTH)
    out[outPos++] = 0xd8 // tag 42
    out[outPos++] = 42
    out[outPos++] = 0x58 // bytes(37)
    out[outPos++] = 37
    out[outPos++] = 0 // identity multibase prefix
    out.set(bytes, outPos)
    outPos += SHA256_CID_LENGTH
    return
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) throw notCommon
  writeMap(value as Record<string, unknown>, depth)
}

/** DAG-CBOR map key order: shorter first, then bytewise (for ASCII keys: by code unit). */
function keyOrder(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0
}

function writeMap(obj: Record<string, unknown>, depth: number): void {
  if ('/' in obj || 'asCID' in obj) throw notCommon // something link-like: the generic encoder decides
  const keys = Object.keys(obj)
  for (const key of keys) {
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) throw notCommon
  }
  if (keys.length > 1) keys.sort(keyOrder)
  writeHead(5, keys.length)
  for (const key of keys) {
    writeString(key)
    writeValue(obj[key], depth + 1)
  }
}
