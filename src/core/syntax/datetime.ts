// Datetime format (https://atproto.com/specs/lexicon#datetime): RFC 3339 ∩ ISO 8601, upper-case 'T'
// and 'Z', a required timezone ('Z' or ±hh:mm, never -00:00), optional fraction of any length.
// Beyond the regex we check the calendar ourselves (Bun's Date silently rolls Feb 30 into March)
// and that the instant, once shifted to UTC, stays within years 0000-9999.
import { InvalidSyntaxError, makeEnsure, makeIsValid } from './errors.ts'

const DATETIME_MAX_LENGTH = 64
const DATETIME_REGEX =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!
}

type ParseResult = { date: Date } | { error: string }

function parse(input: string): ParseResult {
  if (input.length > DATETIME_MAX_LENGTH) return { error: `too long (${DATETIME_MAX_LENGTH} chars max)` }
  const match = DATETIME_REGEX.exec(input)
  if (!match) {
    return { error: "must look like 1985-04-12T23:20:50.123Z (RFC 3339 with 'Z' or ±hh:mm timezone)" }
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[] as [
    number, number, number, number, number, number,
  ]
  const fraction = match[7] ?? ''
  const [sign, offsetHours, offsetMinutes] = [match[9], Number(match[10] ?? 0), Number(match[11] ?? 0)]
  if (month < 1 || month > 12) return { error: 'month out of range' }
  if (day < 1 || day > daysInMonth(year, month)) return { error: 'day out of range for the month' }
  // Leap seconds (:60) are refused, as JavaScript dates (and so the reference) can not hold them.
  if (hour > 23 || minute > 59 || second > 59) return { error: 'time of day out of range' }
  if (offsetHours > 23 || offsetMinutes > 59) return { error: 'timezone offset out of range' }
  if (sign === '-' && offsetHours === 0 && offsetMinutes === 0) return { error: 'use "Z" or "+00:00", not "-00:00"' }

  // Truncate the fraction to milliseconds by digits, avoiding float rounding.
  const millis = Number(`${fraction.slice(1)}000`.slice(0, 3))
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (sign === '-' ? -1 : 1)
  const utc = new Date(date.getTime() - offsetMs)
  const utcYear = utc.getUTCFullYear()
  if (utcYear < 0) return { error: 'normalizes to a negative year' }
  if (utcYear > 9999) return { error: 'normalizes to a year past 9999' }
  return { date: utc }
}

function checkDatetime(input: string): string | null {
  const result = parse(input)
  return 'error' in result ? result.error : null
}

/** Syntax and calendar check: what a Lexicon `datetime` string must pass. */
export const isValidDatetime = makeIsValid(checkDatetime)
export const ensureValidDatetime = makeEnsure('datetime', checkDatetime)

/** Strictly parse a datetime string to a Date (millisecond precision). */
export function parseDatetime(input: string): Date {
  const result = typeof input === 'string' ? parse(input) : { error: 'must be a string' }
  if ('error' in result) throw new InvalidSyntaxError('datetime', result.error)
  return result.date
}

/** The canonical form of a valid datetime: UTC, 'Z', three fraction digits (sorts as text). */
export function normalizeDatetime(input: string): string {
  return parseDatetime(input).toISOString()
}

/** The current time as a canonical datetime string. */
export function currentDatetime(): string {
  return new Date().toISOString()
}
