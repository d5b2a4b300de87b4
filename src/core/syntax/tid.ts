// TID ("timestamp identifier", https://atproto.com/specs/tid): 13 chars of base32-sortable holding
// 53 bits of microseconds since the epoch and a 10-bit clock id; string order equals time order.
import { makeEnsure, makeIsValid } from './errors.ts'

const S32_ALPHABET = '234567abcdefghijklmnopqrstuvwxyz'
const TID_LENGTH = 13
// The top bit of the 64-bit value is always 0, so the first char is one of the first 16 symbols.
const TID_REGEX = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/
const MAX_CLOCK_ID = 1023

function checkTid(input: string): string | null {
  if (input.length !== TID_LENGTH) return `must be ${TID_LENGTH} characters`
  if (!TID_REGEX.test(input)) return 'must be base32-sortable (234567a-z) with a first char in 2-7 or a-j'
  return null
}

export const isValidTid = makeIsValid(checkTid)
export const ensureValidTid = makeEnsure('TID', checkTid)

function encodeS32(value: number, width: number): string {
  let out = ''
  let rest = value
  for (let i = 0; i < width; i++) {
    out = S32_ALPHABET[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

function decodeS32(text: string): number {
  let value = 0
  for (const char of text) {
    const digit = S32_ALPHABET.indexOf(char)
    if (digit < 0) throw new Error(`not base32-sortable: ${text}`)
    value = value * 32 + digit
  }
  return value
}

/** Build a TID from a microsecond timestamp and a clock id (0-1023). */
export function tidFromTime(micros: number, clockId: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError('TID timestamp must be a non-negative safe integer')
  if (!Number.isInteger(clockId) || clockId < 0 || clockId > MAX_CLOCK_ID) {
    throw new RangeError(`TID clock id must be 0-${MAX_CLOCK_ID}`)
  }
  return encodeS32(micros, 11) + encodeS32(clockId, 2)
}

/** Microseconds since the epoch encoded in a TID. */
export function tidTimestamp(tid: string): number {
  ensureValidTid(tid)
  return decodeS32(tid.slice(0, 11))
}

export function tidClockId(tid: string): number {
  ensureValidTid(tid)
  return decodeS32(tid.slice(11))
}

// One random clock id per process, so two processes minting in the same microsecond still differ.
const PROCESS_CLOCK_ID = crypto.getRandomValues(new Uint16Array(1))[0]! % (MAX_CLOCK_ID + 1)
let lastMicros = 0

/**
 * A fresh TID, strictly greater than every TID this process made before (and than `after`, when
 * given: a repo's next rev must sort after its previous one even if that came from another clock).
 * When called faster than the clock ticks, the timestamp is bumped by one microsecond instead of repeating.
 */
export function nextTid(after?: string): string {
  let micros = Math.max(Date.now() * 1000, lastMicros + 1)
  if (after !== undefined) micros = Math.max(micros, tidTimestamp(after) + 1)
  lastMicros = micros
  return tidFromTime(micros, PROCESS_CLOCK_ID)
}
