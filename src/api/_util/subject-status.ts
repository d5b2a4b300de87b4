// Moderation status of an account, a record or a blob (com.atproto.admin.get/updateSubjectStatus).
// Read paths already hide taken-down subjects: the account verifier and repo reads check takedownRef.
import type { Services } from '../../xrpc/services.ts'
import { invalidInput } from '../../services/errors.ts'

export type StatusAttr = { applied: boolean; ref?: string }
export type Subject =
  | { $type: 'com.atproto.admin.defs#repoRef'; did: string }
  | { $type: 'com.atproto.repo.strongRef'; uri: string; cid: string }
  | { $type: 'com.atproto.admin.defs#repoBlobRef'; did: string; cid: string; recordUri?: string }

const attr = (ref: string | null | undefined): StatusAttr => (ref ? { applied: true, ref } : { applied: false })
const notFound = () => invalidInput('Subject not found', 'NotFound')
const didOfUri = (uri: string) => /^at:\/\/([^/]+)\//.exec(uri)?.[1] ?? ''

function requireRepo(services: Services, did: string): string {
  if (!services.repo.hasRepo(did)) throw notFound()
  return did
}

export function getSubjectStatus(services: Services, q: { did?: string; uri?: string; blob?: string }) {
  if (q.uri) {
    const row = services.repo.recordStatus(requireRepo(services, didOfUri(q.uri)), q.uri)
    if (!row) throw notFound()
    return { subject: { $type: 'com.atproto.repo.strongRef', uri: q.uri, cid: row.cid }, takedown: attr(row.takedownRef) }
  }
  if (q.blob) {
    if (!q.did) throw invalidInput('Must provide a did to request blob state')
    const row = services.repo.blobStatus(requireRepo(services, q.did), q.blob)
    if (!row) throw notFound()
    return { subject: { $type: 'com.atproto.admin.defs#repoBlobRef', did: q.did, cid: q.blob }, takedown: attr(row.takedownRef) }
  }
  if (q.did) {
    const account = services.accounts.getAccount(q.did, { includeDeactivated: true, includeTakenDown: true })
    if (!account) throw notFound()
    return {
      subject: { $type: 'com.atproto.admin.defs#repoRef', did: account.did },
      takedown: attr(account.takedownRef),
      deactivated: account.deactivatedAt ? { applied: true } : { applied: false },
    }
  }
  throw invalidInput('No provided subject')
}

export async function updateSubjectStatus(services: Services, input: { subject: Subject; takedown?: StatusAttr; deactivated?: StatusAttr }) {
  const { subject, takedown, deactivated } = input
  // The reference uses the time as the ref when the moderator gives none.
  const ref = takedown ? (takedown.applied ? (takedown.ref ?? new Date().toISOString()) : null) : undefined
  if (subject.$type === 'com.atproto.admin.defs#repoRef') {
    if (!services.accounts.getAccount(subject.did, { includeDeactivated: true, includeTakenDown: true })) throw notFound()
    if (ref !== undefined) services.accounts.setTakedown(subject.did, ref) // emits #account takendown / active
    if (deactivated) {
      if (deactivated.applied) services.accounts.deactivateAccount(subject.did, null)
      else services.accounts.activateAccount(subject.did)
    }
  } else if (subject.$type === 'com.atproto.repo.strongRef') {
    if (ref !== undefined) services.repo.setRecordTakedown(requireRepo(services, didOfUri(subject.uri)), subject.uri, ref)
  } else if (subject.$type === 'com.atproto.admin.defs#repoBlobRef') {
    if (ref !== undefined) {
      await services.repo.setBlobTakedown(requireRepo(services, subject.did), subject.cid, ref)
    }
  } else {
    throw invalidInput('Invalid subject')
  }
  return { subject, takedown }
}
