// tools.ozone.moderation.emitEvent: checks the caller's role and the subject, records the event and the
// subject's new status in one transaction, then acts: takedowns of our own accounts and records through
// the admin API's path, labels (incl. !takedown for subjects elsewhere), email through the notify queue.
import { invalidInput } from '../errors.ts'
import * as events from '../../storage/moderation/events.ts'
import * as statuses from '../../storage/moderation/statuses.ts'
import * as state from '../../storage/moderation/team.ts'
import type { ModEventRow } from '../../storage/moderation/events.ts'
import { sendEmail } from '../accounts/admin.ts'
import { isLocalAccount, type ModContext } from './context.ts'
import { EV, EVENT_TYPES, nextStatus } from './status.ts'
import { REPO_REF, STRONG_REF, type ModSubject } from './subject.ts'
import { assertModerator, type Caller } from './team.ts'
import { addReportRow } from './reports-routing.ts'

export const TAKEDOWN_LABEL = '!takedown'
const BAD_LABEL_CHARS = [' ', ',', ';', `'`, `"`]

export type EmitInput = { event: Record<string, any>; subject: ModSubject; createdBy: string; modTool?: unknown }

/** Refuses what Ozone refuses before anything is written. */
async function check(ctx: ModContext, input: EmitInput, caller: Caller): Promise<void> {
  const { event, subject } = input
  const type = event.$type
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) throw invalidInput(`Unsupported event type: ${String(type)}`)
  if (type === EV.takedown || type === EV.reverseTakedown) assertModerator(caller, 'take this type of action')
  if (type === EV.label) {
    assertModerator(caller, 'label content')
    for (const val of [...(event.createLabelVals ?? []), ...(event.negateLabelVals ?? [])]) {
      const bad = BAD_LABEL_CHARS.find((c) => val.includes(c))
      if (bad) throw invalidInput(`Invalid label: ${val} (contains disallowed character: "${bad}")`)
    }
  }
  if (type === EV.email || type === EV.divert) assertModerator(caller, 'take this type of action')
  if ((type === EV.muteReporter || type === EV.unmuteReporter) && subject.uri) throw invalidInput('Subject must be a repo when muting reporter')
  if (type === EV.email && subject.uri) throw invalidInput('Email can only be sent to a repo subject')
  if (type === EV.divert && !subject.uri) throw invalidInput('Divert events need a record subject')
  await assertSubjectExists(ctx, subject)
  if (type === EV.takedown || type === EV.reverseTakedown) {
    const status = statuses.getStatus(ctx.db, { did: subject.did, recordPath: subject.recordPath })
    if (status?.takendown && type === EV.takedown) throw invalidInput('Subject is already taken down')
    if (!status?.takendown && type === EV.reverseTakedown) throw invalidInput('Subject is not taken down')
  }
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
  const row = record(ctx, subject, event, input.createdBy, input.modTool)
  await act(ctx, subject, event, row)
  state.deleteState(ctx.db, pendingKey(row.id))
  return row
}

/** Events whose effects (takedowns, labels) were recorded but maybe not applied before a crash. */
const PENDING = 'pending_act:'
const pendingKey = (id: number) => `${PENDING}${String(id).padStart(12, '0')}`
const ACTING = new Set<string>([EV.takedown, EV.reverseTakedown, EV.divert, EV.label])

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
export function record(ctx: ModContext, subject: ModSubject, event: Record<string, any>, createdBy: string, modTool?: unknown): ModEventRow {
  const now = ctx.now()
  return ctx.db.transaction(() => {
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
    })
    statuses.putStatus(ctx.db, nextStatus(prev, subject, event, createdBy, now))
    if (event.$type === EV.report) addReportRow(ctx.db, row) // each report is also a row with a status and queue
    if (ACTING.has(event.$type)) state.setState(ctx.db, pendingKey(row.id), '1')
    return row
  })()
}

/** The event's effect outside the moderation database. */
async function act(ctx: ModContext, subject: ModSubject, event: Record<string, any>, row: ModEventRow): Promise<void> {
  const uri = subject.uri ?? subject.did
  switch (event.$type) {
    case EV.takedown:
    case EV.divert:
      await setTakedown(ctx, subject, `TAKEDOWN-${row.id}`)
      ctx.labeler.issue([{ uri, cid: subject.cid, val: TAKEDOWN_LABEL }])
      break
    case EV.reverseTakedown:
      await setTakedown(ctx, subject, null)
      ctx.labeler.issue([{ uri, cid: subject.cid, val: TAKEDOWN_LABEL, neg: true }])
      break
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
