// A stored record's DAG-CBOR straight to its JSON text (links as {"$link"}, bytes as {"$bytes"}), in
// one pass: reads that only hand records on (listRecords pages of 100) skip building the decoded
// objects, converting them to the JSON form and serialising that. It accepts exactly the common
// subset decodeCommonCbor accepts (./cbor.ts) and gives the text JSON.stringify(ipldToJson(decoded))
// gives; anything else returns undefined and the caller takes that general path.
import { readSha256Cid, SHA256_CID_LENGTH, utf8Slice } from './cbor.ts'

const MAX_DEPTH = 256

class NotCommon extends Error {}
const notCommon = new NotCommon()

let input: Uint8Array = new Uint8Array(0)
let at = 0

/** The JSON text of a DAG-CBOR value, or undefined outside the common subset. */
export function dagCborToJsonText(bytes: Uint8Array): string | undefined {
  input = bytes
  at = 0
  try {
    const text = readValue(0)
    return at === bytes.length ? text : undefined
  } catch (err) {
    if (err === notCommon) return undefined
    throw err
  } finally {
    input = EMPTY
  }
}
const EMPTY = new Uint8Array(0)

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

function readString(length: number): string {
  const start = at
  const end = start + length
  if (end > input.length) throw notCommon
  at = end
  return utf8Slice(input, start, end)
}

function readValue(depth: number): string {
  const bytes = input
  if (at >= bytes.length) throw notCommon
  const initial = bytes[at++]!
  const info = initial & 31
  switch (initial >> 5) {
    case 0:
      return String(readArgument(info))
    case 1:
      return String(-1 - readArgument(info))
    case 2: {
      const length = readArgument(info) // before reading `at`: it moves past the argument
      const end = at + length
      if (end > bytes.length) throw notCommon
      const base64 = bytes.subarray(at, end).toBase64({ omitPadding: true })
      at = end
      return `{"$bytes":"${base64}"}`
    }
    case 3:
      return JSON.stringify(readString(readArgument(info)))
    case 4: {
      if (depth >= MAX_DEPTH) throw notCommon
      const length = readArgument(info)
      if (length > bytes.length - at) throw notCommon
      let out = '['
      for (let i = 0; i < length; i++) out += (i ? ',' : '') + readValue(depth + 1)
      return out + ']'
    }
    case 5:
      return readMap(readArgument(info), depth)
    case 6:
      return readLink(initial)
    default:
      if (initial === 0xf6) return 'null'
      if (initial === 0xf5) return 'true'
      if (initial === 0xf4) return 'false'
      throw notCommon
  }
}

function readMap(count: number, depth: number): string {
  if (depth >= MAX_DEPTH || count > input.length - at) throw notCommon
  let out = '{'
  let prevStart = 0
  let prevLength = -1
  for (let i = 0; i < count; i++) {
    const initial = input[at++]
    if (initial === undefined || initial >> 5 !== 3) throw notCommon
    const length = readArgument(initial & 31)
    const start = at
    if (prevLength !== -1 && !keyAfter(start, length, prevStart, prevLength)) throw notCommon
    const key = readString(length)
    // A decoded object lists integer-like keys first; `__proto__` is no key at all there.
    if (key === '__proto__' || isIndexLike(key)) throw notCommon
    out += (i ? ',' : '') + JSON.stringify(key) + ':' + readValue(depth + 1)
    prevStart = start
    prevLength = length
  }
  return out + '}'
}

function isIndexLike(key: string): boolean {
  const c = key.charCodeAt(0)
  return c >= 0x30 && c <= 0x39
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

/** Tag 42 over bytes(37): 0x00 then a CIDv1 sha2-256 (as decodeCommonCbor). */
function readLink(initial: number): string {
  const bytes = input
  const p = at
  if (initial !== 0xd8 || bytes[p] !== 42 || bytes[p + 1] !== 0x58 || bytes[p + 2] !== 37 || bytes[p + 3] !== 0) throw notCommon
  const start = p + 4
  if (start + SHA256_CID_LENGTH > bytes.length) throw notCommon
  const cid = readSha256Cid(bytes.subarray(start, start + SHA256_CID_LENGTH), 0)
  if (!cid) throw notCommon
  at = start + SHA256_CID_LENGTH
  return `{"$link":"${cid.toString()}"}`
}
