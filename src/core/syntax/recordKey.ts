// Record key syntax (https://atproto.com/specs/record-key).
import { makeEnsure, makeIsValid } from './errors.ts'

const RECORD_KEY_REGEX = /^[a-zA-Z0-9_~.:-]{1,512}$/

function checkRecordKey(input: string): string | null {
  if (input.length < 1 || input.length > 512) return 'must be 1 to 512 characters'
  if (input === '.' || input === '..') return 'can not be "." or ".."'
  if (!RECORD_KEY_REGEX.test(input)) return 'only ASCII letters, digits and _~.:- are allowed'
  return null
}

export const isValidRecordKey = makeIsValid(checkRecordKey)
export const ensureValidRecordKey = makeEnsure('record key', checkRecordKey)
