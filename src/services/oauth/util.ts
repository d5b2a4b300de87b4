// Small helpers shared by the OAuth modules: random ids, base64url, hashing.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url')
export const randomId = (prefix: string, bytes: number) => prefix + randomBytes(bytes).toString('base64url')
export const sha256b64url = (value: string) => createHash('sha256').update(value).digest('base64url')
export const hmac = (key: string | Uint8Array, value: string) => createHmac('sha256', key).update(value).digest()
export const nowSec = () => Math.floor(Date.now() / 1000)

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a)
  const bb = Buffer.from(b)
  return ab.length === bb.length && timingSafeEqual(ab, bb)
}
