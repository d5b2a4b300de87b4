// String formats: syntax checks come from core/syntax; messages match the reference wording.
import { CID } from 'multiformats/cid'
import { parseCid } from '../../cbor.ts'
import {
  isValidAtIdentifier,
  isValidAtUri,
  isValidCid,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  isValidUri,
} from '../../syntax/index.ts'
import type { LexStringFormat } from '../schema.ts'

// The longest legitimate CID string is ~110 chars; longer inputs would make the
// base36/base58 decoders run in quadratic time, so they are refused up front.
const MAX_CID_STRING_LENGTH = 128

// Syntax first (cheap), then a real decode as the reference does.
function isCidString(value: string): boolean {
  if (value.length > MAX_CID_STRING_LENGTH || !isValidCid(value)) return false
  try {
    parseCid(value)
    return true
  } catch {
    return false
  }
}

const FORMAT_CHECKS: Record<LexStringFormat, [check: (value: string) => boolean, message: string]> = {
  datetime: [isValidDatetime, 'must be an valid atproto datetime (both RFC-3339 and ISO-8601)'],
  uri: [isValidUri, 'must be a uri'],
  'at-uri': [isValidAtUri, 'must be a valid at-uri'],
  did: [isValidDid, 'must be a valid did'],
  handle: [isValidHandle, 'must be a valid handle'],
  'at-identifier': [isValidAtIdentifier, 'must be a valid did or a handle'],
  nsid: [isValidNsid, 'must be a valid nsid'],
  cid: [isCidString, 'must be a cid string'],
  language: [isValidLanguage, 'must be a well-formed BCP 47 language tag'],
  tid: [isValidTid, 'must be a valid TID'],
  'record-key': [isValidRecordKey, 'must be a valid Record Key'],
}

/** Error message (without the path) when `value` breaks `format`, else undefined. */
export function formatProblem(format: LexStringFormat, value: string): string | undefined {
  const entry = FORMAT_CHECKS[format]
  if (!entry) return undefined
  return entry[0](value) ? undefined : entry[1]
}
