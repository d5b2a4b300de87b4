// Codes mailed to the account holder: two five-character groups (base32, upper case, e.g.
// ABCDE-23456), valid 15 minutes. Shared by the email-token flows and the sign-in codes.
import { randomBytes } from 'node:crypto'

export const EMAIL_TOKEN_TTL_MS = 15 * 60 * 1000

export function genEmailToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const chars = Array.from(randomBytes(10), (b) => alphabet[b & 31]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}
