// tools.ozone.moderation.emitEvent: checks the caller's role and the subject, records the event and the
// subject's new status in one transaction, then acts: takedowns of our own accounts and records through
// the admin API's path, labels (incl. !takedown for subjects elsewhere), email through the notify queue.
import { authRequired, forbidden, invalidInput } from '../errors.ts'
import * as events from '../../storage/moderation/events.ts'
import * as statuses from '../../storage/moderation/statuses.ts'
import * as state from '../../storage/moderation/team.ts'
import type { ModEventRow } from '../../storage/moderation/events.ts'
import { sendEmail } from '../accounts/admin.ts'
import { isLocalAccount, type ModContext } from './context.ts'
import { assertProtectedTagAction, assertTagChange } from './protected-tags.ts'
import { EV, EVENT_TYPES, HOSTING_EVENTS, nextStatus } from './status.ts'
import { REPO_REF, STRONG_REF, type ModSubject } from './subject.ts'
import { assertAdmin, assertModerator, isAdmin, isModerator, type Caller } from './team.ts'
import { addReportRow } from './reports-routing.ts'

export const TAKEDOWN_LABEL = '!takedown'
/** Ozone labels a timed takedown of an account as a suspension. */
export const SUSPEND_LABEL = '!suspend'
const BAD_LABEL_CHARS = [' ', ',', ';', `'`, `"`]
const DIVERT_TAKEDOWN_COMMENT = '[DIVERT_SIDE_EFFECT]: Automatically taking down after divert event'
const AUTO_RESOLVE = '[AUTO_RESOLVE_ON_ACCOUNT_ACTION]'

export type EmitInput = { event: Record<string, any>; subject: ModSubject; createdBy: string; modTool?: unknown; externalId?: string }

/** Age assurance events and credential revocation only make sense for an account. */
const ACCOUNT_ONLY = new Set<string>([EV.ageAssurance, EV.ageAssuranceOverride, EV.ageAssurancePurge, EV.revokeAccountCredentials])

/** Whether a takedown acts on this server (Ozone's targetServices: none listed means every service). */
export const targetsPds = (event: Record<string, any>) => !Array.isArray(event.targetServices) || event.targetServices.length === 0 || event.targetServices.includes('pds')

/** Refuses what Ozone refuses before anything is written. */
async function check(ctx: ModContext, input: EmitInput, caller: Caller): Promise<void> {
  const { event, subject } = input
  const type = event.$type
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) throw invalidInput(`Unsupported event type: ${String(type)}`)
  checkShape(event, subject)
  checkRole(type, caller, subject)
  if (type === EV.tag) assertTagChange(ctx, caller, event)
  // A host may report a record it no longer has (recordEvent delete): only its account must be known.
  await assertSubjectExists(ctx, HOSTING_EVENTS.has(type) ? { ...subject, uri: null } : subject)
  if (type === EV.revokeAccountCredentials && !isLocalAccount(ctx, subject.did)) throw invalidInput('The account is not hosted on this server', 'RepoNotFound')
  if (type === EV.takedown || type === EV.reverseTakedown || type === EV.label) {
    const status = statuses.getStatus(ctx.db, { did: subject.did, recordPath: subject.recordPath })
    if (status?.takendown && type === EV.takedown) throw invalidInput('Subject is already taken down')
    if (!status?.takendown && type === EV.reverseTakedown) throw invalidInput('Subject is not taken down')
    if (status) assertProtectedTagAction(ctx, caller, JSON.parse(status.tags))
  }
  if (input.externalId !== undefined) {
    if (typeof input.externalId !== 'string' || !input.externalId) throw invalidInput('externalId must be a non-empty string')
    if (events.hasExternalId(ctx.db, { subjectDid: subject.did, type, externalId: input.externalId })) {
      throw invalidInput('An event with the same external ID already exists for the subject.', 'DuplicateExternalId')
    }
  }
}

/** Events that do not fit their subject, or lack what they need. */
function checkShape(event: Record<string, any>, subject: ModSubject): void {
  const type: string = event.$type
  if (ACCOUNT_ONLY.has(type) && subject.uri) throw invalidInput('Invalid subject type')
  if (type === EV.revokeAccountCredentials && (typeof event.comment !== 'string' || !event.comment)) throw invalidInput('A comment is required to revoke account credentials')
  if ((type === EV.ageAssurance || type === EV.ageAssuranceOverride) && typeof event.status !== 'string') throw invalidInput('Age assurance events need a status')
  if (type === EV.label) {
    for (const val of [...(event.createLabelVals ?? []), ...(event.negateLabelVals ?? [])]) {
      const bad = BAD_LABEL_CHARS.find((c) => val.includes(c))
      if (bad) throw invalidInput(`Invalid label: ${val} (contains disallowed character: "${bad}")`)
    }
  }
  if ((type === EV.muteReporter || type === EV.unmuteReporter) && subject.uri) throw invalidInput('Subject must be a repo when muting reporter')
  if (type === EV.email && subject.uri) throw invalidInput('Email can only be sent to a repo subject')
  if (type === EV.divert && !subject.uri) throw invalidInput('Divert events need a record subject')
}

/** What the caller's role allows (Ozone's checks in emitEvent); triage may review only. */
function checkRole(type: string, caller: Caller, subject: ModSubject): void {
  if (type === EV.ageAssuranceOverride) assertModerator(caller, 'override age assurance')
  if (type === EV.ageAssurancePurge && !isModerator(caller)) throw forbidden('Must be a moderator to purge age assurance events')
  if (type === EV.revokeAccountCredentials) assertAdmin(caller, 'revoke account credentials')
  if (type === EV.takedown || type === EV.reverseTakedown) {
    assertModerator(caller, 'take this type of action')
    if (!isAdmin(caller) && subject.recordPath.includes('app.bsky.feed.generator/')) throw authRequired('Must be a full admin to take this type of action on feed generators')
  }
  if (type === EV.label) assertModerator(caller, 'label content')
  if (type === EV.email || type === EV.divert) assertModerator(caller, 'take this type of action')
}

/** Our own accounts and records must exist; a DID elsewhere must at least resolve. */
export async function assertSubjectExists(ctx: ModContext, subject: ModSubject): Promise<void> {
  if (isLocalAccount(ctx, subject.did)) {
    if (subject.uri && !ctx.repo.recordStatus(subject.did, subject.uri)) throw invalidInput('Subject not found: no such record', 'RecordNotFound')
    return
  }
  const doc = await ctx.accounts.didDocFor(subject.did)
  if (!doc) throw invalidInput('Subject not found: the DID does not resolve', 'RepoNotFound')
}

export async function emitEvent(ctx: ModContext, input: EmitInput, caller: Caller): Promise<ModEventRow> {
  await check(ctx, input, caller)
  const event = { ...input.event }
  let { subject } = input
  if (event.$type === EV.reverseTakedown && subject.uri) {
    // The record's blobs were taken down with it: restore them too.
    const status = statuses.getStatus(ctx.db, { did: subject.did, recordPath: subject.recordPath })
    subject = { ...subject, blobCids: [...new Set([...subject.blobCids, ...JSON.parse(status?.blob_cids ?? '[]')])] }
  }
  if (event.$type === EV.email) {
    // Sent before the event is logged; a failure is recorded as isDelivered: false, as Ozone does.
    try {
      await sendEmail(ctx.accounts, { recipientDid: subject.did, subject: event.subjectLine, content: event.content ?? '' })
      event.isDelivered = true
    } catch (err) {
      ctx.log.warn('moderation email not sent', { did: subject.did, err })
      event.isDelivered = false
    }
  }
  if (event.$type === EV.revokeAccountCredentials) {
    // Done before the event is logged, as Ozone asks the PDS first: a failure logs nothing.
    await ctx.accounts.revokeAccountCredentials(subject.did)
  }
  const row = record(ctx, subject, event, input.createdBy, input.modTool, { externalId: input.externalId })
  await act(ctx, subject, event, row)
  state.deleteState(ctx.db, pendingKey(row.id))
  if ((event.$type === EV.takedown || event.$type === EV.acknowledge) && event.acknowledgeAccountSubjects && !subject.uri) {
    await resolveAccountSubjects(ctx, subject.did, input.createdBy, row)
  }
  if (event.$type === EV.divert) {
    // Ozone takes the record (and the blobs named) down right after diverting them, as a second event.
    const status = statuses.getStatus(ctx.db, { did: subject.did, recordPath: subject.recordPath })
    if (!status?.takendown) {
      await emitEvent(ctx, { ...input, externalId: undefined, event: { ...input.event, $type: EV.takedown, comment: DIVERT_TAKEDOWN_COMMENT } }, caller)
    }
  }
  return row
}

/** acknowledgeAccountSubjects: the account's open record subjects are acknowledged (appeals resolved first). */
async function resolveAccountSubjects(ctx: ModContext, did: string, createdBy: string, accountEvent: ModEventRow): Promise<void> {
  const comment = (JSON.parse(accountEvent.event) as { comment?: string }).comment
  const info = `Account Event ID: ${accountEvent.id}${comment ? ` | Account Event Comment: ${comment}` : ''}`
  for (const row of statuses.pendingRecordSubjects(ctx.db, did)) {
    const uri = `at://${row.did}/${row.record_path}`
    const subject: ModSubject = { did: row.did, uri, cid: row.record_cid, blobCids: [], recordPath: row.record_path }
    if (row.appealed) {
      record(ctx, subject, { $type: EV.resolveAppeal, comment: `${AUTO_RESOLVE}: Automatically resolving all appealed content due to account level action | ${info}` }, createdBy)
    }
    record(ctx, subject, { $type: EV.acknowledge, comment: `${AUTO_RESOLVE}: Automatically resolving all reported content due to account level action | ${info}` }, createdBy)
  }
}

/** Events whose effects (takedowns, labels) were recorded but maybe not applied before a crash. */
const PENDING = 'pending_act:'
const pendingKey = (id: number) => `${PENDING}${String(id).padStart(12, '0')}`
const ACTING = new Set<string>([EV.takedown, EV.reverseTakedown, EV.label])

/** At start: applies the effects of events a crash interrupted (idempotent: takedowns, labels again). */
export async function recoverPendingActs(ctx: ModContext): Promise<number> {
  let done = 0
  for (const key of state.stateKeysWithPrefix(ctx.db, PENDING)) {
    const row = events.getEvent(ctx.db, Number(key.slice(PENDING.length)))
    if (row) {
      const uri = row.subject_uri
      const subject: ModSubject = { did: row.subject_did, uri, cid: row.subject_cid, blobCids: JSON.parse(row.subject_blob_cids), recordPath: uri ? uri.split('/').slice(3).join('/') : '' }
      try {
        await act(ctx, subject, JSON.parse(row.event), row)
        done++
      } catch (err) {
        ctx.log.error('could not apply an interrupted moderation event', { id: row.id, err })
        continue
      }
    }
    state.deleteState(ctx.db, key)
  }
  return done
}

/** The event and the subject's status, in one transaction. */
export function record(
  ctx: ModContext,
  subject: ModSubject,
  event: Record<string, any>,
  createdBy: string,
  modTool?: unknown,
  extra: { externalId?: string } = {},
): ModEventRow {
  const now = ctx.now()
  // Strikes come with takedowns, emails and their reversal (negative counts take strikes back).
  const striking = event.$type === EV.takedown || event.$type === EV.email || event.$type === EV.reverseTakedown
  const strikeCount = striking && Number.isInteger(event.strikeCount) ? (event.strikeCount as number) : null
  return ctx.db.transaction(() => {
    if (extra.externalId && events.hasExternalId(ctx.db, { subjectDid: subject.did, type: event.$type, externalId: extra.externalId })) {
      throw invalidInput('An event with the same external ID already exists for the subject.', 'DuplicateExternalId')
    }
    const prev = statuses.getStatus(ctx.db, { did: subject.did, recordPath: subject.recordPath })
    const row = events.insertEvent(ctx.db, {
      type: event.$type,
      subject_did: subject.did,
      subject_uri: subject.uri,
      subject_cid: subject.cid,
      subject_blob_cids: JSON.stringify(subject.blobCids),
      event: JSON.stringify(event),
      created_by: createdBy,
      created_at: now.toISOString(),
      mod_tool: modTool === undefined ? null : JSON.stringify(modTool),
      external_id: extra.externalId ?? null,
      strike_count: strikeCount,
      strike_expires_at: strikeCount !== null && event.$type !== EV.reverseTakedown && typeof event.strikeExpiresAt === 'string' ? event.strikeExpiresAt : null,
    })
    statuses.putStatus(ctx.db, nextStatus(prev, subject, event, createdBy, now))
    if (event.$type === EV.ageAssurancePurge) events.deleteEventsOfType(ctx.db, subject.did, EV.ageAssurance)
    if (event.$type === EV.report) addReportRow(ctx.db, row) // each report is also a row with a status and queue
    if (ACTING.has(event.$type)) state.setState(ctx.db, pendingKey(row.id), '1')
    return row
  })()
}

/** The event's effect outside the moderation database. */
async function act(ctx: ModContext, subject: ModSubject, event: Record<string, any>, row: ModEventRow): Promise<void> {
  const uri = subject.uri ?? subject.did
  switch (event.$type) {
    case EV.takedown: {
      const suspend = !subject.uri && !!event.durationInHours
      if (targetsPds(event)) await setTakedown(ctx, subject, `${suspend ? 'SUSPEND' : 'TAKEDOWN'}-${row.id}`)
      // The label also reaches AppViews; it is issued whichever services the takedown targets.
      ctx.labeler.issue([{ uri, cid: subject.cid, val: suspend ? SUSPEND_LABEL : TAKEDOWN_LABEL }])
      break
    }
    case EV.reverseTakedown: {
      await setTakedown(ctx, subject, null)
      const active = new Set(ctx.labeler.active(uri).map((l) => l.val))
      const vals = subject.uri ? [TAKEDOWN_LABEL] : [TAKEDOWN_LABEL, SUSPEND_LABEL].filter((v) => active.has(v))
      if (vals.length) ctx.labeler.issue(vals.map((val) => ({ uri, cid: subject.cid, val, neg: true })))
      break
    }
    case EV.label: {
      const expiresInHours: number | undefined = event.durationInHours || undefined
      ctx.labeler.issue([
        ...(event.createLabelVals as string[]).map((val) => ({ uri, cid: subject.cid, val, expiresInHours })),
        ...(event.negateLabelVals as string[]).map((val) => ({ uri, cid: subject.cid, val, neg: true })),
      ])
      break
    }
  }
}

/** Our own subjects go through com.atproto.admin.updateSubjectStatus's path; others only get the label. */
async function setTakedown(ctx: ModContext, subject: ModSubject, ref: string | null): Promise<void> {
  if (!isLocalAccount(ctx, subject.did)) return
  const takedown = ref ? { applied: true, ref } : { applied: false }
  if (!subject.uri) {
    await ctx.applySubjectStatus({ subject: { $type: REPO_REF, did: subject.did }, takedown })
    return
  }
  await ctx.applySubjectStatus({ subject: { $type: STRONG_REF, uri: subject.uri, cid: subject.cid ?? '' }, takedown })
  for (const cid of subject.blobCids) {
    await ctx.applySubjectStatus({ subject: { $type: 'com.atproto.admin.defs#repoBlobRef', did: subject.did, cid, recordUri: subject.uri }, takedown })
  }
}
