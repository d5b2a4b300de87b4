// Ozone's views (tools.ozone.moderation.defs): events, subject statuses, repos and records.
import type { ModEventRow } from '../../storage/moderation/events.ts'
import type { SubjectStatusRow } from '../../storage/moderation/statuses.ts'
import * as statuses from '../../storage/moderation/statuses.ts'
import * as events from '../../storage/moderation/events.ts'
import { labelJson } from './labeler.ts'
import { isLocalAccount, type ModContext } from './context.ts'
import { parseRecordUri, subjectJson } from './subject.ts'
import { isModerator, type Caller } from './team.ts'

const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined))

/** The handle of a DID: ours from the account table, others from their (cached) DID document. */
export async function handleOf(ctx: ModContext, did: string): Promise<string | undefined> {
  const local = ctx.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
  if (local) return local.handle ?? undefined
  return (await ctx.accounts.atprotoDataFor(did).catch(() => null))?.handle ?? undefined
}

export async function eventView(ctx: ModContext, row: ModEventRow): Promise<Record<string, unknown>> {
  const [creatorHandle, subjectHandle] = await Promise.all([handleOf(ctx, row.created_by), handleOf(ctx, row.subject_did)])
  return compact({
    id: row.id,
    event: JSON.parse(row.event),
    subject: subjectJson({ did: row.subject_did, uri: row.subject_uri, cid: row.subject_cid }),
    subjectBlobCids: JSON.parse(row.subject_blob_cids),
    createdBy: row.created_by,
    createdAt: row.created_at,
    creatorHandle,
    subjectHandle,
    modTool: row.mod_tool ? JSON.parse(row.mod_tool) : undefined,
  })
}

export async function statusView(ctx: ModContext, row: SubjectStatusRow): Promise<Record<string, unknown>> {
  const uri = row.record_path ? `at://${row.did}/${row.record_path}` : null
  const strikes = events.strikesOf(ctx.db, row.did, ctx.now().toISOString())
  return compact({
    id: row.id,
    subject: subjectJson({ did: row.did, uri, cid: row.record_cid }),
    hosting: hostingView(ctx, row),
    subjectBlobCids: JSON.parse(row.blob_cids),
    subjectRepoHandle: await handleOf(ctx, row.did),
    updatedAt: row.updated_at,
    createdAt: row.created_at,
    reviewState: row.review_state,
    comment: row.comment,
    priorityScore: row.priority_score,
    muteUntil: row.mute_until,
    muteReportingUntil: row.mute_reporting_until,
    lastReviewedBy: row.last_reviewed_by,
    lastReviewedAt: row.last_reviewed_at,
    lastReportedAt: row.last_reported_at,
    lastAppealedAt: row.last_appealed_at,
    takendown: row.takendown === 1,
    appealed: row.appealed === null ? undefined : row.appealed === 1,
    suspendUntil: row.suspend_until,
    tags: JSON.parse(row.tags),
    ageAssuranceState: row.age_assurance_state,
    ageAssuranceUpdatedBy: row.age_assurance_updated_by,
    accountStats: { $type: 'tools.ozone.moderation.defs#accountStats', ...statuses.accountStats(ctx.db, row.did) },
    recordsStats: { $type: 'tools.ozone.moderation.defs#recordsStats', ...statuses.recordsStats(ctx.db, row.did) },
    accountStrike: strikes ? { $type: 'tools.ozone.moderation.defs#accountStrike', ...strikes } : undefined,
  })
}

/**
 * Where the subject is hosted: our own accounts as the account table says now; others (and records) as
 * the last account, identity or record event said (Ozone's hosting fields).
 */
function hostingView(ctx: ModContext, row: SubjectStatusRow): Record<string, unknown> {
  const reported = {
    updatedAt: row.hosting_updated_at ?? undefined,
    deletedAt: row.hosting_deleted_at ?? undefined,
    status: row.hosting_status ?? 'unknown',
  }
  if (row.record_path) return compact({ $type: 'tools.ozone.moderation.defs#recordHosting', ...reported })
  const local = ctx.accounts.getAccount(row.did, { includeDeactivated: true, includeTakenDown: true })
  if (local) {
    return compact({
      $type: 'tools.ozone.moderation.defs#accountHosting',
      ...reported,
      status: accountHostingStatus(local),
      createdAt: local.createdAt,
      deactivatedAt: local.deactivatedAt ?? undefined,
      reactivatedAt: row.hosting_reactivated_at ?? undefined,
    })
  }
  return compact({
    $type: 'tools.ozone.moderation.defs#accountHosting',
    ...reported,
    deactivatedAt: row.hosting_deactivated_at ?? undefined,
    reactivatedAt: row.hosting_reactivated_at ?? undefined,
  })
}

function accountHostingStatus(a: { takedownRef: string | null; deactivatedAt: string | null }): string {
  return a.takedownRef ? 'takendown' : a.deactivatedAt ? 'deactivated' : 'active'
}

function moderation(ctx: ModContext, did: string, recordPath: string) {
  const row = statuses.getStatus(ctx.db, { did, recordPath })
  return row ? statusView(ctx, row).then((subjectStatus) => ({ subjectStatus })) : Promise.resolve({})
}

/** repoViewDetail for our accounts and for DIDs that resolve; null when neither. */
export async function repoView(ctx: ModContext, did: string, detail: boolean): Promise<Record<string, unknown> | null> {
  const account = ctx.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
  const labels = detail ? ctx.labeler.active(did).map(labelJson) : undefined
  if (account) {
    const profile = ctx.repo.hasRepo(did) ? ctx.repo.getRecord(did, 'app.bsky.actor.profile', 'self') : null
    return compact({
      did,
      handle: account.handle ?? 'handle.invalid',
      email: account.email,
      relatedRecords: profile ? [{ $type: 'app.bsky.actor.profile', ...(profile.value as object) }] : [],
      indexedAt: account.createdAt,
      moderation: await moderation(ctx, did, ''),
      invitesDisabled: account.invitesDisabled,
      emailConfirmedAt: detail ? account.emailConfirmedAt : undefined,
      deactivatedAt: account.deactivatedAt,
      labels,
    })
  }
  // Hosted elsewhere: the handle its PDS confirms (describeRepo) and its profile, as Ozone's AppView gives
  // them; when that PDS does not answer, what the DID document says.
  const [data, remote] = await Promise.all([ctx.accounts.atprotoDataFor(did).catch(() => null), ctx.remote.repo(did)])
  if (!data) return null
  const status = statuses.getStatus(ctx.db, { did, recordPath: '' })
  return compact({
    did,
    handle: remote?.handle ?? data.handle ?? 'handle.invalid',
    relatedRecords: remote?.profile ? [{ $type: 'app.bsky.actor.profile', ...remote.profile }] : [],
    indexedAt: status?.created_at ?? ctx.now().toISOString(),
    moderation: await moderation(ctx, did, ''),
    labels,
  })
}

/**
 * recordViewDetail for a record in one of our repos, or of another server as its PDS serves it now (labels,
 * status and blob statuses from our own tables either way); null when neither has it.
 */
export async function recordView(ctx: ModContext, uri: string, cid?: string): Promise<Record<string, unknown> | null> {
  const parsed = parseRecordUri(uri)
  if (!parsed) return null
  const local = isLocalAccount(ctx, parsed.did)
  if (local && !ctx.repo.hasRepo(parsed.did)) return null
  // Moderators see what they took down.
  const rec = local
    ? ctx.repo.getRecord(parsed.did, parsed.collection, parsed.rkey, cid, { includeTakenDown: true })
    : await ctx.remote.record(parsed.did, parsed.collection, parsed.rkey, cid)
  if (!rec) return null
  const repo = await repoView(ctx, parsed.did, false)
  return {
    uri,
    cid: rec.cid,
    value: rec.value,
    blobs: await blobViews(ctx, parsed.did, blobRefsIn(rec.value), local),
    blobCids: [],
    labels: ctx.labeler.active(uri).map(labelJson),
    indexedAt: (rec.value as { createdAt?: string }).createdAt ?? ctx.now().toISOString(),
    moderation: await moderation(ctx, parsed.did, `${parsed.collection}/${parsed.rkey}`),
    repo,
  }
}

type BlobRefJson = { cid: string; mimeType: string; size: number }

/** The blob refs in a record's JSON value ({$type: 'blob', ref: {$link}} and the legacy {cid, mimeType}). */
export function blobRefsIn(value: unknown, out: BlobRefJson[] = []): BlobRefJson[] {
  if (Array.isArray(value)) {
    for (const item of value) blobRefsIn(item, out)
  } else if (value && typeof value === 'object') {
    const v = value as Record<string, any>
    if (v.$type === 'blob' && typeof v.ref?.$link === 'string') out.push({ cid: v.ref.$link, mimeType: String(v.mimeType ?? ''), size: Number(v.size ?? 0) })
    else if (typeof v.cid === 'string' && typeof v.mimeType === 'string' && Object.keys(v).length === 2) out.push({ cid: v.cid, mimeType: v.mimeType, size: 0 })
    else for (const item of Object.values(v)) blobRefsIn(item, out)
  }
  return out
}

/**
 * blobView for each blob a record names: what this server's blob store knows (type, size, when it was
 * stored, image dimensions; for another server's record only what the ref says) and the moderation status
 * of a record subject that lists the blob.
 */
async function blobViews(ctx: ModContext, did: string, refs: BlobRefJson[], local: boolean): Promise<Record<string, unknown>[]> {
  const seen = new Set<string>()
  const out: Record<string, unknown>[] = []
  for (const ref of refs) {
    if (seen.has(ref.cid)) continue
    seen.add(ref.cid)
    const stored = local ? ctx.repo.db(did).getBlob(ref.cid) : null
    const status = statuses.statusListingBlob(ctx.db, did, ref.cid)
    // Images have their dimensions stored at upload; videos would also need their length, which is not.
    const details =
      stored?.width && stored.height && stored.mimeType.startsWith('image/')
        ? { $type: 'tools.ozone.moderation.defs#imageDetails', width: stored.width, height: stored.height }
        : undefined
    out.push(
      compact({
        cid: ref.cid,
        mimeType: stored?.mimeType ?? ref.mimeType,
        size: stored?.size ?? ref.size,
        // Ozone, without the blob, gives the epoch.
        createdAt: stored?.createdAt ?? new Date(0).toISOString(),
        details,
        moderation: status ? { subjectStatus: await statusView(ctx, status) } : {},
      }),
    )
  }
  return out
}

/**
 * An output as `viewer` may see it: Ozone shows an account's email to moderators and admins only
 * (addAccountInfoToRepoViewDetail's includeEmail), so for triage and verifiers every account view
 * (an object with a `did` and an `email`) loses its email.
 */
export function asSeenBy<T>(viewer: Caller, output: T): T {
  return isModerator(viewer) ? output : (withoutEmails(output) as T)
}

function withoutEmails(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmails)
  // Plain objects only: anything else (a CID, bytes) is left as it is, with its own JSON form.
  if (!value || typeof value !== 'object' || ![Object.prototype, null].includes(Object.getPrototypeOf(value))) return value
  const out: Record<string, unknown> = {}
  const isAccount = 'did' in value && 'email' in value
  for (const [k, v] of Object.entries(value)) if (!(isAccount && k === 'email')) out[k] = withoutEmails(v)
  return out
}
