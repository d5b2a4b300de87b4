// A moderation subject: an account (repoRef) or a record (strongRef), keyed as Ozone keys its statuses.
import { invalidInput } from '../errors.ts'
import { isValidDid } from '../../core/syntax/index.ts'

export type ModSubject = { did: string; uri: string | null; cid: string | null; blobCids: string[]; recordPath: string }

export const REPO_REF = 'com.atproto.admin.defs#repoRef'
export const STRONG_REF = 'com.atproto.repo.strongRef'

const AT_URI = /^at:\/\/(did:[a-z]+:[a-zA-Z0-9._:%-]+)\/([a-zA-Z0-9.-]+)\/([a-zA-Z0-9._:~-]+)$/

export function parseRecordUri(uri: string): { did: string; collection: string; rkey: string } | null {
  const m = AT_URI.exec(uri)
  return m ? { did: m[1]!, collection: m[2]!, rkey: m[3]! } : null
}

/** The subject named in an XRPC input; InvalidRequest for anything else (chat messages included). */
export function subjectFromInput(input: unknown, blobCids: string[] = []): ModSubject {
  const s = (input ?? {}) as { $type?: string; did?: unknown; uri?: unknown; cid?: unknown }
  if (s.$type === REPO_REF && typeof s.did === 'string') {
    if (!isValidDid(s.did)) throw invalidInput('Invalid subject: not a DID')
    if (blobCids.length) throw invalidInput('Blobs can only be moderated with a record subject')
    return { did: s.did, uri: null, cid: null, blobCids: [], recordPath: '' }
  }
  if (s.$type === STRONG_REF && typeof s.uri === 'string' && typeof s.cid === 'string') {
    const parsed = parseRecordUri(s.uri)
    if (!parsed) throw invalidInput('Invalid subject: not a record URI')
    return { did: parsed.did, uri: s.uri, cid: s.cid, blobCids, recordPath: `${parsed.collection}/${parsed.rkey}` }
  }
  throw invalidInput('Invalid subject')
}

/** From the parameters of the query methods: a DID or an at:// URI. */
export function subjectFromString(value: string): { did: string; uri: string | null; recordPath: string } {
  if (value.startsWith('at://')) {
    const parsed = parseRecordUri(value)
    if (!parsed) throw invalidInput(`Invalid subject: ${value}`)
    return { did: parsed.did, uri: value, recordPath: `${parsed.collection}/${parsed.rkey}` }
  }
  if (!isValidDid(value)) throw invalidInput(`Invalid subject: ${value}`)
  return { did: value, uri: null, recordPath: '' }
}

export function subjectJson(s: { did: string; uri: string | null; cid: string | null }): Record<string, unknown> {
  return s.uri ? { $type: STRONG_REF, uri: s.uri, cid: s.cid ?? '' } : { $type: REPO_REF, did: s.did }
}
