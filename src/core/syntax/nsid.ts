// NSID syntax (https://atproto.com/specs/nsid): reversed domain authority + a name segment.
import { makeEnsure, makeIsValid } from './errors.ts'

const NSID_MAX_LENGTH = 253 + 1 + 63
// First segment starts with a letter; the last (name) is letters and digits, starting with a letter.
const NSID_REGEX =
  /^[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+\.[a-zA-Z][a-zA-Z0-9]{0,62}$/

function checkNsid(input: string): string | null {
  if (input.length > NSID_MAX_LENGTH) return `too long (${NSID_MAX_LENGTH} chars max)`
  if (!/^[a-zA-Z0-9.-]*$/.test(input)) return 'only ASCII letters, digits, dashes and periods are allowed'
  if (input.split('.').length < 3) return 'needs at least three segments'
  if (!NSID_REGEX.test(input)) {
    return 'segments must be 1-63 chars without leading/trailing dashes; the first starts with a letter; the name is letters and digits starting with a letter'
  }
  return null
}

export const isValidNsid = makeIsValid(checkNsid)
export const ensureValidNsid = makeEnsure('NSID', checkNsid)

/** Split an NSID into its authority (domain order) and name, e.g. app.bsky.feed.post -> feed.bsky.app + post. */
export function parseNsid(nsid: string): { authority: string; name: string } {
  ensureValidNsid(nsid)
  const segments = nsid.split('.')
  const name = segments.pop() as string
  return { authority: segments.reverse().join('.'), name }
}

/** Where a method is served on any host: the protocol's `/xrpc/{nsid}` path. */
export function xrpcPath(nsid: string): string {
  return `/xrpc/${nsid}`
}
