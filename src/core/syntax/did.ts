// DID syntax (https://atproto.com/specs/did): method is lower-case letters, the rest a restricted ASCII set.
import { makeEnsure, makeIsValid } from './errors.ts'

const DID_MAX_LENGTH = 2048
const DID_REGEX = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/

function checkDid(input: string): string | null {
  if (!input.startsWith('did:')) return 'must start with "did:"'
  if (input.length > DID_MAX_LENGTH) return `too long (${DID_MAX_LENGTH} chars max)`
  if (!DID_REGEX.test(input)) return 'must be "did:<lower-case method>:<id>" using ASCII letters, digits and ._:%- (not ending in ":" or "%")'
  return null
}

export const isValidDid = makeIsValid(checkDid)
export const ensureValidDid = makeEnsure('DID', checkDid)
