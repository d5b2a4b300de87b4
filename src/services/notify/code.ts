// Codes people type back: two five-character groups of upper-case base32 (ABCDE-23456), as the email
// tokens; 15 minutes.
import { randomBytes } from 'node:crypto'

export const CODE_TTL_MS = 15 * 60 * 1000

export function genCode(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const chars = Array.from(randomBytes(10), (b) => alphabet[b & 31]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}
