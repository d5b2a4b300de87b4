// Backup codes: ten single-use codes of ten base32 characters (50 random bits each), shown once
// as xxxxx-xxxxx and kept only as SHA-256 hashes. Dashes, spaces and case do not matter when typed.
import { createHash, randomBytes } from 'node:crypto'

export const BACKUP_CODE_COUNT = 10
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

export function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = Array.from(randomBytes(10), (b) => ALPHABET[b & 31]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

/** The normalised form, or null when the text cannot be a backup code. */
export function normaliseBackupCode(text: string): string | null {
  const clean = text.toLowerCase().replace(/[\s-]/g, '')
  return /^[a-z2-7]{10}$/.test(clean) ? clean : null
}

/** Salted with the DID so equal codes of two accounts never share a hash. */
export function hashBackupCode(did: string, normalised: string): string {
  return createHash('sha256').update(`${did}:${normalised}`).digest('hex')
}
