// Password hashing in the reference's `salt:hash` format (node scrypt, N=16384 r=8 p=1, 64 bytes), so that
// account.sqlite files move between this server and the reference PDS unchanged.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto'
import { sha256 } from '../../core/crypto/index.ts'

export const OLD_PASSWORD_MAX_LENGTH = 512
export const NEW_PASSWORD_MAX_LENGTH = 256

function derive(password: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, 64, { N: 16384, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

export async function hashWithSalt(password: string, salt: string): Promise<string> {
  return `${salt}:${(await derive(password, salt)).toString('hex')}`
}

export function genSaltAndHash(password: string): Promise<string> {
  return hashWithSalt(password, randomBytes(16).toString('hex'))
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [salt, hash] = stored.split(':')
  if (!salt || !hash) return false
  const derived = await derive(password, salt)
  const expected = Buffer.from(hash, 'hex')
  return expected.length === derived.length && timingSafeEqual(expected, derived)
}

/** App passwords use a deterministic salt (sha256(did)[0..16] hex) so they can be looked up by hash. */
export function hashAppPassword(did: string, password: string): Promise<string> {
  const salt = Buffer.from(sha256(new TextEncoder().encode(did)).slice(0, 16)).toString('hex')
  return hashWithSalt(password, salt)
}
