// CID string format for Lexicon `cid` strings: a loose multibase check, CIDv0 ("Qm...") refused.
// Decoding is the job of CID.parse in ../cbor.ts; this only checks the string shape, as the spec does.
import { makeEnsure, makeIsValid } from './errors.ts'

const CID_REGEX = /^[a-zA-Z0-9+=]{8,256}$/

function checkCid(input: string): string | null {
  if (!CID_REGEX.test(input)) return 'must be 8-256 multibase characters (letters, digits, + and =)'
  if (input.length === 46 && input.startsWith('Qm')) return 'CIDv0 is not supported'
  return null
}

export const isValidCid = makeIsValid(checkCid)
export const ensureValidCid = makeEnsure('CID', checkCid)
