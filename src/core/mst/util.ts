// Small MST helpers: key heights, prefixes and key validation (atproto repository spec).
import { sha256 } from '@noble/hashes/sha2.js'

const encoder = new TextEncoder()

/** Height of a key: leading zero 2-bit groups of sha256(key) (fanout 4). */
export function keyHeight(key: string): number {
  const hash = sha256(encoder.encode(key))
  let zeros = 0
  for (const byte of hash) {
    if (byte === 0) {
      zeros += 4
      continue
    }
    if ((byte & 0xc0) === 0) zeros++
    else return zeros
    if ((byte & 0x30) === 0) zeros++
    else return zeros
    if ((byte & 0x0c) === 0) zeros++
    return zeros
  }
  return zeros
}

/** Shared prefix length in bytes. Keys are ASCII (see isValidMstKey), so chars are bytes. */
export function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length)
  let i = 0
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

const VALID_KEY_PART = /^[a-zA-Z0-9_~\-:.]+$/

/** `collection/rkey`, each part non-empty and from the restricted charset, at most 1024 chars. */
export function isValidMstKey(key: string): boolean {
  if (key.length > 1024) return false
  const slash = key.indexOf('/')
  if (slash <= 0 || slash !== key.lastIndexOf('/') || slash === key.length - 1) return false
  return VALID_KEY_PART.test(key.slice(0, slash)) && VALID_KEY_PART.test(key.slice(slash + 1))
}

export class InvalidMstKeyError extends Error {
  constructor(key: string) {
    super(`Invalid MST key: ${JSON.stringify(key)}`)
    this.name = 'InvalidMstKeyError'
  }
}

export function ensureValidMstKey(key: string): void {
  if (!isValidMstKey(key)) throw new InvalidMstKeyError(key)
}
