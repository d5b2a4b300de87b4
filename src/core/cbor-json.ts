// A stored record's DAG-CBOR straight to its JSON (links as {"$link"}, bytes as {"$bytes"}), written as
// UTF-8 bytes in one pass: reads that only hand records on (listRecords pages of 100) skip building the
// decoded objects, converting them to the JSON form, serialising that to a string and encoding the
// string again for the socket. Text is copied byte for byte (escaped where JSON needs it). It accepts
// exactly the common subset decodeCommonCbor accepts (./cbor.ts) and gives the bytes of
// JSON.stringify(ipldToJson(decoded)); anything else writes nothing and the caller takes that general path.
import { SHA256_CID_LENGTH, utf8Slice } from './cbor.ts'

const MAX_DEPTH = 256
/** A scratch buffer larger than this is let go after use (a page of huge records must not stay resident). */
const KEEP_BYTES = 1024 * 1024
const INITIAL_BYTES = 64 * 1024

class NotCommon extends Error {}
const notCommon = new NotCommon()
const textEncoder = new TextEncoder()
const EMPTY = new Uint8Array(0)

// The build in progress: the CBOR being read (`input` at `at`) and the output (`buf` up to `pos`).
// Plain module variables, not fields: the transcoder's inner loops read and write them constantly.
let input: Uint8Array = EMPTY
let at = 0
let buf: Uint8Array = EMPTY
let pos = 0

/** Room for `n` more output bytes. */
function room(n: number): void {
  if (pos + n > buf.length) grow(n)
}

function grow(n: number): void {
  const grown = new Uint8Array(Math.max(pos + n, buf.length * 2))
  grown.set(buf.subarray(0, pos))
  buf = grown
}

/** Text whose characters are all ASCII (JSON punctuation, numbers, base64), as it is. */
function writeAscii(text: string): void {
  room(text.length)
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i)
}

/** Text that is JSON already, as UTF-8. */
function writeText(text: string): void {
  room(text.length * 3)
  pos += textEncoder.encodeInto(text, buf.subarray(pos)).written
}

/**
 * A growable UTF-8 output buffer for JSON built in pieces. One is shared (JsonBytes.scratch): a build
 * runs synchronously from begin() to take(), so no two builds interleave.
 */
export class JsonBytes {
  static readonly scratch = new JsonBytes()

  private buf: Uint8Array = new Uint8Array(INITIAL_BYTES)
  private length = 0

  /** Starts a new build (what an interrupted one left is dropped). */
  begin(): this {
    this.length = 0
    return this
  }

  /** Text whose characters are all ASCII (JSON punctuation, numbers), as it is. */
  ascii(text: string): void {
    const n = text.length
    if (this.length + n > this.buf.length) this.grow(n)
    const out = this.buf
    let p = this.length
    for (let i = 0; i < n; i++) out[p++] = text.charCodeAt(i)
    this.length = p
  }

  /**
   * A string as a JSON string: JSON.stringify's text. With `prefix`, the string `prefix + text`,
   * without building it (a listRecords page writes each record's URI from its repo's prefix and rkey).
   */
  string(text: string, prefix = ''): void {
    const n = prefix.length + text.length
    if (this.length + n + 2 > this.buf.length) this.grow(n + 2)
    const out = this.buf
    out[this.length] = 0x22
    let p = this.copyPlain(prefix, this.length + 1)
    if (p >= 0) p = this.copyPlain(text, p)
    // Anything to escape or encode: JSON.stringify does the whole string.
    if (p < 0) return this.text(JSON.stringify(prefix + text))
    out[p++] = 0x22
    this.length = p
  }

  /** Copies `text` to the buffer at `p` if no character needs escaping or encoding: the end, else -1. */
  private copyPlain(text: string, p: number): number {
    const out = this.buf
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return -1
      out[p++] = c
    }
    return p
  }

  /** Text that is JSON already, as UTF-8. */
  text(text: string): void {
    if (this.length + text.length * 3 > this.buf.length) this.grow(text.length * 3)
    this.length += textEncoder.encodeInto(text, this.buf.subarray(this.length)).written
  }

  /** The JSON of a DAG-CBOR value; false (nothing written) outside the common subset. */
  dagCbor(bytes: Uint8Array): boolean {
    // The transcoder works on module variables (its inner loops read and write them constantly).
    buf = this.buf
    pos = this.length
    try {
      return writeDagCbor(bytes)
    } finally {
      this.buf = buf
      this.length = pos
      buf = EMPTY
    }
  }

  /** A copy of what was written; the buffer starts over (and is let go if it grew large). */
  take(): Uint8Array {
    const result = this.buf.slice(0, this.length)
    this.length = 0
    if (this.buf.length > KEEP_BYTES) this.buf = new Uint8Array(INITIAL_BYTES)
    return result
  }

  private grow(n: number): void {
    const grown = new Uint8Array(Math.max(this.length + n, this.buf.length * 2))
    grown.set(this.buf.subarray(0, this.length))
    this.buf = grown
  }
}

/** The JSON text of a DAG-CBOR value, or undefined outside the common subset. */
export function dagCborToJsonText(bytes: Uint8Array): string | undefined {
  const json = new JsonBytes()
  if (!json.dagCbor(bytes)) return undefined
  const out = json.take()
  return utf8Slice(out, 0, out.length)
}

function writeDagCbor(bytes: Uint8Array): boolean {
  const mark = pos
  input = bytes
  at = 0
  try {
    writeValue(0)
    if (at === bytes.length) return true
    pos = mark
    return false
  } catch (err) {
    pos = mark
    if (err === notCommon) return false
    throw err
  } finally {
    input = EMPTY
  }
}

/** Minimal-encoding argument of at most 32 bits (as decodeCommonCbor). */
function readArgument(info: number): number {
  if (info < 24) return info
  const bytes = input
  const p = at
  if (info === 24) {
    if (p >= bytes.length || bytes[p]! < 24) throw notCommon
    at = p + 1
    return bytes[p]!
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
  throw notCommon
}

function writeValue(depth: number): void {
  const bytes = input
  if (at >= bytes.length) throw notCommon
  const initial = bytes[at++]!
  const info = initial & 31
  switch (initial >> 5) {
    case 0:
      return writeInteger(readArgument(info))
    case 1:
      return writeInteger(-1 - readArgument(info))
    case 2: {
      const length = readArgument(info) // before reading `at`: it moves past the argument
      const end = at + length
      if (end > bytes.length) throw notCommon
      const base64 = bytes.subarray(at, end).toBase64({ omitPadding: true })
      at = end
      writeAscii('{"$bytes":"')
      writeAscii(base64)
      writeAscii('"}')
      return
    }
    case 3:
      writeString(readArgument(info), false)
      return
    case 4: {
      if (depth >= MAX_DEPTH) throw notCommon
      const length = readArgument(info)
      if (length > bytes.length - at) throw notCommon
      room(1)
      buf[pos++] = 0x5b // [
      for (let i = 0; i < length; i++) {
        if (i) {
          room(1)
          buf[pos++] = 0x2c // ,
        }
        writeValue(depth + 1)
      }
      room(1)
      buf[pos++] = 0x5d // ]
      return
    }
    case 5:
      return writeMap(readArgument(info), depth)
    case 6:
      return writeLink(initial)
    default:
      if (initial === 0xf6) return writeAscii('null')
      if (initial === 0xf5) return writeAscii('true')
      if (initial === 0xf4) return writeAscii('false')
      throw notCommon
  }
}

/** An integer of at most 33 bits and its sign, in decimal. */
function writeInteger(value: number): void {
  room(12)
  if (value < 0) {
    buf[pos++] = 0x2d // -
    value = -value
  }
  if (value < 10) {
    buf[pos++] = 0x30 + value
    return
  }
  let digits = 1
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++
  let p = pos + digits
  pos = p
  for (let v = value; ; ) {
    const next = Math.floor(v / 10)
    buf[--p] = 0x30 + (v - next * 10)
    if (next === 0) break
    v = next
  }
}

// What a text byte needs in JSON: copied (0), escaped (1), or the start of a multi-byte sequence (2).
const COPY = 0
const ESCAPE = 1
const MULTI_BYTE = 2
const BYTE_KIND = new Uint8Array(256)
for (let b = 0; b < 0x20; b++) BYTE_KIND[b] = ESCAPE
BYTE_KIND[0x22] = ESCAPE
BYTE_KIND[0x5c] = ESCAPE
for (let b = 0x80; b < 0x100; b++) BYTE_KIND[b] = MULTI_BYTE
/** JSON.stringify's short escapes (other control characters are \u00xx). */
const SHORT_ESCAPE = new Uint8Array(256)
SHORT_ESCAPE[0x08] = 0x62 // b
SHORT_ESCAPE[0x09] = 0x74 // t
SHORT_ESCAPE[0x0a] = 0x6e // n
SHORT_ESCAPE[0x0c] = 0x66 // f
SHORT_ESCAPE[0x0d] = 0x72 // r
SHORT_ESCAPE[0x22] = 0x22 // "
SHORT_ESCAPE[0x5c] = 0x5c // \
const HEX = '0123456789abcdef'

/**
 * A text string of `length` bytes at `at`, as a JSON string. Well-formed UTF-8 is copied as it is
 * (JSON.stringify escapes nothing above U+001F but `"` and `\`, and text decoded from well-formed
 * UTF-8 has no lone surrogate); ill-formed UTF-8 is decoded as the general path decodes it (U+FFFD
 * replacements) and escaped by JSON.stringify, or refused for a map key (two ill-formed keys could
 * decode to the same text, one key in a decoded object).
 */
function writeString(length: number, isKey: boolean): void {
  const bytes = input
  const start = at
  const end = start + length
  if (end > bytes.length) throw notCommon
  at = end
  room(length * 6 + 2)
  const out = buf
  let p = pos
  out[p++] = 0x22
  let i = start
  while (i < end) {
    const b = bytes[i]!
    const kind = BYTE_KIND[b]
    if (kind === COPY) {
      out[p++] = b
      i++
    } else if (kind === ESCAPE) {
      out[p++] = 0x5c
      const short = SHORT_ESCAPE[b]!
      if (short !== 0) {
        out[p++] = short
      } else {
        out[p++] = 0x75 // u00xx
        out[p++] = 0x30
        out[p++] = 0x30
        out[p++] = HEX.charCodeAt(b >> 4)
        out[p++] = HEX.charCodeAt(b & 15)
      }
      i++
    } else {
      const n = wellFormedSequence(bytes, i, end)
      if (n === 0) {
        if (isKey) throw notCommon
        return writeText(JSON.stringify(utf8Slice(bytes, start, end)))
      }
      for (const stop = i + n; i < stop; i++) out[p++] = bytes[i]!
    }
  }
  out[p++] = 0x22
  pos = p
}

/** The length of the well-formed UTF-8 sequence of 2 to 4 bytes at `i` (Unicode table 3-7), or 0. */
function wellFormedSequence(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i]!
  let need: number
  let lo = 0x80
  let hi = 0xbf
  if (b >= 0xc2 && b <= 0xdf) need = 1
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2
    if (b === 0xe0) lo = 0xa0
    else if (b === 0xed) hi = 0x9f // no surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3
    if (b === 0xf0) lo = 0x90
    else if (b === 0xf4) hi = 0x8f // nothing above U+10FFFF
  } else return 0
  if (i + need >= end) return 0
  const second = bytes[i + 1]!
  if (second < lo || second > hi) return 0
  for (let k = 2; k <= need; k++) {
    const c = bytes[i + k]!
    if (c < 0x80 || c > 0xbf) return 0
  }
  return need + 1
}

function writeMap(count: number, depth: number): void {
  if (depth >= MAX_DEPTH || count > input.length - at) throw notCommon
  room(1)
  buf[pos++] = 0x7b // {
  let prevStart = 0
  let prevLength = -1
  for (let i = 0; i < count; i++) {
    const initial = input[at++]
    if (initial === undefined || initial >> 5 !== 3) throw notCommon
    const length = readArgument(initial & 31)
    const start = at
    if (start + length > input.length) throw notCommon
    if (prevLength !== -1 && !keyAfter(start, length, prevStart, prevLength)) throw notCommon
    // A decoded object lists integer-like keys first; `__proto__` is no key at all there.
    if (isIndexLike(start, length) || isProtoKey(start, length)) throw notCommon
    if (i) {
      room(1)
      buf[pos++] = 0x2c // ,
    }
    writeString(length, true)
    room(1)
    buf[pos++] = 0x3a // :
    writeValue(depth + 1)
    prevStart = start
    prevLength = length
  }
  room(1)
  buf[pos++] = 0x7d // }
}

function isIndexLike(start: number, length: number): boolean {
  const c = input[start]!
  return length > 0 && c >= 0x30 && c <= 0x39
}

const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f] // __proto__
function isProtoKey(start: number, length: number): boolean {
  if (length !== PROTO.length) return false
  for (let i = 0; i < length; i++) if (input[start + i] !== PROTO[i]) return false
  return true
}

function keyAfter(start: number, length: number, prevStart: number, prevLength: number): boolean {
  if (length !== prevLength) return length > prevLength
  const bytes = input
  for (let i = 0; i < length; i++) {
    const a = bytes[start + i]
    const b = bytes[prevStart + i]
    if (a === undefined) throw notCommon
    if (a !== b) return a > b!
  }
  return false
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/** Tag 42 over bytes(37): 0x00 then a CIDv1 sha2-256 (as decodeCommonCbor), written as its base32 string. */
function writeLink(initial: number): void {
  const bytes = input
  const p = at
  if (initial !== 0xd8 || bytes[p] !== 42 || bytes[p + 1] !== 0x58 || bytes[p + 2] !== 37 || bytes[p + 3] !== 0) throw notCommon
  const start = p + 4
  const end = start + SHA256_CID_LENGTH
  if (end > bytes.length) throw notCommon
  // CIDv1, a one-byte codec, sha2-256 of 32 bytes (readSha256Cid's test).
  if (bytes[start] !== 1 || bytes[start + 1]! >= 0x80 || bytes[start + 2] !== 0x12 || bytes[start + 3] !== 32) throw notCommon
  at = end
  writeAscii('{"$link":"b')
  room(Math.ceil((SHA256_CID_LENGTH * 8) / 5) + 2)
  const out = buf
  let o = pos
  let buffer = 0
  let bits = 0
  for (let i = start; i < end; i++) {
    buffer = ((buffer << 8) | bytes[i]!) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out[o++] = BASE32.charCodeAt((buffer >> bits) & 31)
    }
  }
  if (bits > 0) out[o++] = BASE32.charCodeAt((buffer << (5 - bits)) & 31)
  out[o++] = 0x22 // "
  out[o++] = 0x7d // }
  pos = o
}
