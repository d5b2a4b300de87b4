// Scalar validators. Messages copy the reference @atproto/lexicon wording so errors read the same.
import type { LexBoolean, LexBytes, LexInteger, LexString } from '../schema.ts'
import { fail, ok, type ValidationResult } from '../errors.ts'
import { graphemeLength, utf8Length } from '../text.ts'
import { formatProblem } from './formats.ts'
import { isCid, isDataObject } from './values.ts'

export function validateBoolean(path: string, def: LexBoolean, value: unknown): ValidationResult {
  if (value === undefined && def.default !== undefined) return ok(def.default)
  if (typeof value !== 'boolean') return fail(`${path} must be a boolean`)
  if (def.const !== undefined && value !== def.const) return fail(`${path} must be ${def.const}`)
  return ok(value)
}

export function validateInteger(path: string, def: LexInteger, value: unknown): ValidationResult {
  if (value === undefined && def.default !== undefined) return ok(def.default)
  if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`${path} must be an integer`)
  if (def.const !== undefined && value !== def.const) return fail(`${path} must be ${def.const}`)
  if (def.enum && !def.enum.includes(value)) return fail(`${path} must be one of (${def.enum.join('|')})`)
  if (def.maximum !== undefined && value > def.maximum) {
    return fail(`${path} can not be greater than ${def.maximum}`)
  }
  if (def.minimum !== undefined && value < def.minimum) {
    return fail(`${path} can not be less than ${def.minimum}`)
  }
  return ok(value)
}

export function validateString(path: string, def: LexString, value: unknown): ValidationResult {
  if (value === undefined && def.default !== undefined) return ok(def.default)
  if (typeof value !== 'string') return fail(`${path} must be a string`)
  if (def.const !== undefined && value !== def.const) return fail(`${path} must be ${def.const}`)
  if (def.enum && !def.enum.includes(value)) return fail(`${path} must be one of (${def.enum.join('|')})`)
  const lengthProblem = checkUtf8Length(def, value)
  if (lengthProblem) return fail(`${path} ${lengthProblem}`)
  const graphemeProblem = checkGraphemes(def, value)
  if (graphemeProblem) return fail(`${path} ${graphemeProblem}`)
  if (def.format) {
    const problem = formatProblem(def.format, value)
    if (problem) return fail(`${path} ${problem}`)
  }
  return ok(value)
}

// UTF-8 length is between .length and 3 × .length, so most strings skip the exact count.
function checkUtf8Length(def: LexString, value: string): string | undefined {
  const { minLength, maxLength } = def
  if (minLength === undefined && maxLength === undefined) return undefined
  if (minLength !== undefined && value.length * 3 < minLength) {
    return `must not be shorter than ${minLength} characters`
  }
  if (minLength === undefined && maxLength !== undefined && value.length * 3 <= maxLength) return undefined
  const length = utf8Length(value)
  if (maxLength !== undefined && length > maxLength) return `must not be longer than ${maxLength} characters`
  if (minLength !== undefined && length < minLength) return `must not be shorter than ${minLength} characters`
  return undefined
}

// Grapheme count is at most .length (UTF-16 units), which again lets short strings skip segmenting.
function checkGraphemes(def: LexString, value: string): string | undefined {
  const { minGraphemes, maxGraphemes } = def
  if (minGraphemes === undefined && maxGraphemes === undefined) return undefined
  if (minGraphemes !== undefined && value.length < minGraphemes) {
    return `must not be shorter than ${minGraphemes} graphemes`
  }
  const needsCount = minGraphemes !== undefined || (maxGraphemes !== undefined && value.length > maxGraphemes)
  if (!needsCount) return undefined
  const count = graphemeLength(value)
  if (maxGraphemes !== undefined && count > maxGraphemes) return `must not be longer than ${maxGraphemes} graphemes`
  if (minGraphemes !== undefined && count < minGraphemes) return `must not be shorter than ${minGraphemes} graphemes`
  return undefined
}

export function validateBytes(path: string, def: LexBytes, value: unknown): ValidationResult {
  if (!(value instanceof Uint8Array)) return fail(`${path} must be a byte array`)
  if (def.maxLength !== undefined && value.byteLength > def.maxLength) {
    return fail(`${path} must not be larger than ${def.maxLength} bytes`)
  }
  if (def.minLength !== undefined && value.byteLength < def.minLength) {
    return fail(`${path} must not be smaller than ${def.minLength} bytes`)
  }
  return ok(value)
}

export function validateCidLink(path: string, value: unknown): ValidationResult {
  return isCid(value) ? ok(value) : fail(`${path} must be a CID`)
}

/**
 * `unknown` accepts any data object. Stricter than the reference (which takes any JS object):
 * the interop vectors require bytes and blobs to be refused here, and the spec excludes arrays.
 */
export function validateUnknown(path: string, value: unknown): ValidationResult {
  if (!isDataObject(value) || value.$type === 'blob') return fail(`${path} must be an object`)
  return ok(value)
}
