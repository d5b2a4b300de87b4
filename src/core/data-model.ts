// The atproto data model (https://atproto.com/specs/data-model) in its two shapes:
// - JSON form, as sent over XRPC: links are {"$link": cid}, bytes are {"$bytes": base64};
// - IPLD form, as encoded to DAG-CBOR: links are CID objects, bytes are Uint8Array.
// Blobs are ordinary maps in both ({$type: 'blob', ref, mimeType, size}); only `ref` changes shape.
import { CID, parseCid } from './cbor.ts'

export class InvalidDataError extends Error {
  constructor(message: string, readonly path: string = '') {
    super(path ? `${message} (at ${path})` : message)
    this.name = 'InvalidDataError'
  }
}

export interface BlobRef {
  $type: 'blob'
  ref: CID
  mimeType: string
  size: number
}

const RAW_CODEC = 0x55
const SHA2_256 = 0x12
const BASE64_REGEX = /^[A-Za-z0-9+/]*={0,2}$/
const BLOB_KEYS = new Set(['$type', 'ref', 'mimeType', 'size'])

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function keyPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key
}

// ---------------------------------------------------------------------------------------------
// Blob refs

/**
 * A well-formed blob ref in IPLD form. `strict` (the default) also requires the CID shape the
 * protocol uses for blobs: CIDv1, raw codec, sha-256.
 */
export function isBlobRef(value: unknown, options: { strict?: boolean } = {}): value is BlobRef {
  if (!isPlainObject(value) || value.$type !== 'blob') return false
  for (const key of Object.keys(value)) if (!BLOB_KEYS.has(key)) return false
  const { ref, mimeType, size } = value
  if (typeof mimeType !== 'string' || !mimeType.includes('/')) return false
  if (!Number.isSafeInteger(size) || (size as number) < 0) return false
  const cid = CID.asCID(ref)
  if (!cid) return false
  if (options.strict === false) return true
  return cid.version === 1 && cid.code === RAW_CODEC && cid.multihash.code === SHA2_256
}

// ---------------------------------------------------------------------------------------------
// JSON -> IPLD

function parseLink(obj: Record<string, unknown>, path: string): CID {
  if (Object.keys(obj).length !== 1) throw new InvalidDataError('$link object must have no other keys', path)
  const link = obj.$link
  if (typeof link !== 'string') throw new InvalidDataError('$link must be a string', path)
  try {
    return parseCid(link)
  } catch {
    throw new InvalidDataError('$link is not a valid CID', path)
  }
}

function parseBytes(obj: Record<string, unknown>, path: string): Uint8Array {
  if (Object.keys(obj).length !== 1) throw new InvalidDataError('$bytes object must have no other keys', path)
  const text = obj.$bytes
  if (typeof text !== 'string' || !BASE64_REGEX.test(text) || text.length % 4 === 1) {
    throw new InvalidDataError('$bytes must be a base64 string', path)
  }
  return Uint8Array.fromBase64(text)
}

function jsonToIpldAt(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new InvalidDataError('numbers must be safe integers', path)
    return value
  }
  if (Array.isArray(value)) return value.map((item, i) => jsonToIpldAt(item, keyPath(path, i)))
  if (isPlainObject(value)) {
    if ('$link' in value) return parseLink(value, path)
    if ('$bytes' in value) return parseBytes(value, path)
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue // JSON never has it; JS callers may, and CBOR can't hold it
      if (key === '__proto__') throw new InvalidDataError('"__proto__" is not an allowed key', path)
      out[key] = jsonToIpldAt(item, keyPath(path, key))
    }
    return out
  }
  throw new InvalidDataError(`unsupported JSON value of type ${typeof value}`, path)
}

/**
 * How deep a record may nest (objects and arrays, the record itself being level 1). The data model
 * sets no number; 128 is far beyond any lexicon's shape and keeps every recursive walk (conversion,
 * validation, CBOR, the AppView's decoders) far from a stack overflow.
 */
export const MAX_RECORD_DEPTH = 128

/** True when `value` nests objects or arrays more than `max` levels deep (stops looking past `max`). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return false
  if (max <= 0) return true
  const items = Array.isArray(value) ? value : Object.values(value)
  for (const item of items) if (nestsDeeperThan(item, max - 1)) return true
  return false
}

/**
 * Convert the JSON form to the IPLD form. Throws InvalidDataError on malformed $link / $bytes
 * objects and non-integer numbers; does not check blobs or $type (see validateIpldData).
 */
export function jsonToIpld(json: unknown): unknown {
  return jsonToIpldAt(json, '')
}

// ---------------------------------------------------------------------------------------------
// IPLD -> JSON

/** Convert the IPLD form back to the JSON form (CID -> {$link}, bytes -> {$bytes} unpadded base64). */
export function ipldToJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(ipldToJson)
  if (value instanceof Uint8Array) return { $bytes: value.toBase64({ omitPadding: true }) }
  const cid = CID.asCID(value)
  if (cid) return { $link: cid.toString() }
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) out[key] = ipldToJson(item)
  return out
}

// ---------------------------------------------------------------------------------------------
// Validation of the IPLD form

/** Why the value is not valid atproto data, or null when it is. Any value may be at the top. */
export function checkIpldValue(value: unknown, path = ''): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null
    case 'number':
      return Number.isSafeInteger(value) ? null : `${path || 'value'}: numbers must be integers`
    case 'object':
      break
    default:
      return `${path || 'value'}: ${typeof value} is not allowed in atproto data`
  }
  if (value === null || value instanceof Uint8Array) return null
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const reason = checkIpldValue(value[i], keyPath(path, i))
      if (reason) return reason
    }
    return null
  }
  if (CID.asCID(value)) return null
  if (!isPlainObject(value)) return `${path || 'value'}: only plain objects are allowed`
  if ('$type' in value) {
    const type = value.$type
    if (typeof type !== 'string' || type.length === 0) return `${keyPath(path, '$type')}: must be a non-empty string`
    if (type === 'blob' && !isBlobRef(value, { strict: false })) {
      return `${path || 'value'}: malformed blob (needs exactly ref CID, mimeType, integer size)`
    }
  }
  for (const [key, item] of Object.entries(value)) {
    const reason = checkIpldValue(item, keyPath(path, key))
    if (reason) return reason
  }
  return null
}

/** Why the value is not a valid atproto record/object, or null. The top level must be a map. */
export function checkIpldData(value: unknown): string | null {
  if (!isPlainObject(value)) return 'top-level value must be an object'
  return checkIpldValue(value)
}

/** Throws InvalidDataError unless `value` (IPLD form) is a valid atproto object. */
export function validateIpldData(value: unknown): void {
  const reason = checkIpldData(value)
  if (reason) throw new InvalidDataError(reason)
}

export function isValidIpldData(value: unknown): boolean {
  return checkIpldData(value) === null
}

/** Whether a JSON-form value is valid atproto data (an object, convertible, and valid). */
export function isValidAtData(json: unknown): boolean {
  try {
    return isValidIpldData(jsonToIpld(json))
  } catch (err) {
    if (err instanceof InvalidDataError) return false
    throw err
  }
}
