// Small MST helpers: key heights, prefixes and key validation (atproto repository spec).
const encoder = new TextEncoder()
const keyHash = new Uint8Array(32)

/** Height of a key: leading zero 2-bit groups of sha256(key) (fanout 4). */
export function keyHeight(key: string): number {
  const hash = keyHash
  Bun.SHA256.hash(encoder.encode(key), hash)
  let zeros = 0
  for (let i = 0; i < 32; i++) {
    const byte = hash[i]!
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

// Characters allowed in either part of a key: a-z A-Z 0-9 _ ~ - : .
const KEY_CHAR = new Uint8Array(128)
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~-:.') KEY_CHAR[c.charCodeAt(0)] = 1
const SLASH = 0x2f

/** `collection/rkey`, each part non-empty and from the restricted charset, at most 1024 chars. */
export function isValidMstKey(key: string): boolean {
  const n = key.length
  if (n > 1024) return false
  let slash = -1
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i)
    if (c === SLASH) {
      if (slash !== -1) return false
      slash = i
    } else if (c >= 128 || KEY_CHAR[c] === 0) return false
  }
  return slash > 0 && slash < n - 1
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
