// AT URI syntax (https://atproto.com/specs/at-uri-scheme), the strict form used for records:
// at://<did-or-handle>[/<collection NSID>[/<record key>]][#/<json-pointer>], no query, no trailing slash.
import { isValidAtIdentifier } from './atIdentifier.ts'
import { makeEnsure, makeIsValid, InvalidSyntaxError } from './errors.ts'
import { isValidNsid } from './nsid.ts'
import { isValidRecordKey } from './recordKey.ts'

export interface AtUriParts {
  host: string
  collection?: string
  rkey?: string
  /** The fragment without its '#', always starting with '/'. */
  fragment?: string
}

const AT_URI_MAX_LENGTH = 8192
const AT_URI_REGEX = /^at:\/\/([^/?#\s]+)(?:\/([^/?#\s]+)(?:\/([^/?#\s]+))?)?(?:#(\/[a-zA-Z0-9._~:@!$&')(*+,;=%[\]/-]*))?$/

type ParseResult = { parts: AtUriParts } | { error: string }

function parse(input: string): ParseResult {
  if (input.length > AT_URI_MAX_LENGTH) return { error: `too long (${AT_URI_MAX_LENGTH} chars max)` }
  const match = AT_URI_REGEX.exec(input)
  if (!match) {
    return { error: 'must be at://<authority>[/<collection>[/<rkey>]] with no query, trailing slash or whitespace' }
  }
  const [, host, collection, rkey, fragment] = match as unknown as [string, string, string?, string?, string?]
  if (!isValidAtIdentifier(host)) return { error: 'authority is not a valid DID or handle' }
  if (collection !== undefined && !isValidNsid(collection)) return { error: 'collection is not a valid NSID' }
  if (rkey !== undefined && !isValidRecordKey(rkey)) return { error: 'record key is not valid' }
  if (fragment !== undefined && !isValidPercentEncoding(fragment)) return { error: 'fragment has bad percent-encoding' }
  const parts: AtUriParts = { host }
  if (collection !== undefined) parts.collection = collection
  if (rkey !== undefined) parts.rkey = rkey
  if (fragment !== undefined) parts.fragment = fragment
  return { parts }
}

function isValidPercentEncoding(text: string): boolean {
  try {
    decodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

function checkAtUri(input: string): string | null {
  const result = parse(input)
  return 'error' in result ? result.error : null
}

export const isValidAtUri = makeIsValid(checkAtUri)
export const ensureValidAtUri = makeEnsure('AT URI', checkAtUri)

export function parseAtUri(input: string): AtUriParts {
  const result = typeof input === 'string' ? parse(input) : { error: 'must be a string' }
  if ('error' in result) throw new InvalidSyntaxError('AT URI', result.error)
  return result.parts
}

export function formatAtUri(parts: AtUriParts): string {
  if (parts.rkey !== undefined && parts.collection === undefined) {
    throw new InvalidSyntaxError('AT URI', 'a record key needs a collection')
  }
  let uri = `at://${parts.host}`
  if (parts.collection !== undefined) uri += `/${parts.collection}`
  if (parts.rkey !== undefined) uri += `/${parts.rkey}`
  if (parts.fragment !== undefined) uri += `#${parts.fragment}`
  ensureValidAtUri(uri)
  return uri
}
