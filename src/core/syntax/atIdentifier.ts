// at-identifier: either a DID or a handle (used in at:// URIs and XRPC `repo` params).
import { isValidDid } from './did.ts'
import { makeEnsure, makeIsValid } from './errors.ts'
import { isValidHandle } from './handle.ts'

function checkAtIdentifier(input: string): string | null {
  if (input.startsWith('did:')) return isValidDid(input) ? null : 'not a valid DID'
  return isValidHandle(input) ? null : 'not a valid handle'
}

export const isValidAtIdentifier = makeIsValid(checkAtIdentifier)
export const ensureValidAtIdentifier = makeEnsure('at-identifier', checkAtIdentifier)

export function isDidIdentifier(identifier: string): boolean {
  return identifier.startsWith('did:')
}
