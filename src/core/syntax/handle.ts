// Handle syntax (https://atproto.com/specs/handle): a DNS name of 2+ labels whose TLD starts with a letter.
import { makeEnsure, makeIsValid } from './errors.ts'

/** The placeholder the reference shows for an account whose handle no longer verifies. */
export const INVALID_HANDLE = 'handle.invalid'

/** Syntactically fine, but never allowed for an account (reserved / special-use TLDs). */
export const DISALLOWED_HANDLE_TLDS = [
  '.local',
  '.arpa',
  '.invalid',
  '.localhost',
  '.internal',
  '.example',
  '.onion',
  '.alt',
] as const

const HANDLE_MAX_LENGTH = 253
const HANDLE_REGEX =
  /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

function checkHandle(input: string): string | null {
  if (input.length > HANDLE_MAX_LENGTH) return `too long (${HANDLE_MAX_LENGTH} chars max)`
  if (!/^[a-zA-Z0-9.-]*$/.test(input)) return 'only ASCII letters, digits, dashes and periods are allowed'
  if (!HANDLE_REGEX.test(input)) {
    return 'needs 2+ labels of 1-63 chars, no leading/trailing dashes, and a TLD starting with a letter'
  }
  return null
}

export const isValidHandle = makeIsValid(checkHandle)
export const ensureValidHandle = makeEnsure('handle', checkHandle)

/** Handles compare case-insensitively; we store and compare the lower-case form. */
export function normalizeHandle(handle: string): string {
  return handle.toLowerCase()
}

export function normalizeAndEnsureValidHandle(handle: string): string {
  const normalized = normalizeHandle(handle)
  ensureValidHandle(normalized)
  return normalized
}

export function isDisallowedHandleTld(handle: string): boolean {
  const lower = handle.toLowerCase()
  return DISALLOWED_HANDLE_TLDS.some((tld) => lower.endsWith(tld))
}

/** True when the handle's TLD may be used for an account (the reference's `isValidTld`). */
export function isValidTld(handle: string): boolean {
  return !isDisallowedHandleTld(handle)
}
