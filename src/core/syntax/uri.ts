// Generic URI format for Lexicon `uri` strings: a scheme, a colon, and something without whitespace.
import { makeEnsure, makeIsValid } from './errors.ts'

const URI_MAX_LENGTH = 8192
// RFC 3986 scheme, then either "//" + a non-slash char, or a non-slash char directly.
const URI_REGEX = /^[a-zA-Z][a-zA-Z0-9+.-]*:(?:\/\/)?[^\s/][^\s]*$/

function checkUri(input: string): string | null {
  if (input.length > URI_MAX_LENGTH) return `too long (${URI_MAX_LENGTH} chars max)`
  if (!URI_REGEX.test(input)) return 'must be "<scheme>:<rest>" with no whitespace'
  return null
}

export const isValidUri = makeIsValid(checkUri)
export const ensureValidUri = makeEnsure('URI', checkUri)
