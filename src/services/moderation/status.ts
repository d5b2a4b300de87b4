// How each event moves a subject's status (review state, takedown, mutes, tags...), as Ozone's
// adjustModerationSubjectStatus does.
import type { SubjectStatusRow } from '../../storage/moderation/statuses.ts'
import { hoursFrom } from './context.ts'
import type { ModSubject } from './subject.ts'

const D = 'tools.ozone.moderation.defs#'
export const EV = {
  takedown: `${D}modEventTakedown`,
  reverseTakedown: `${D}modEventReverseTakedown`,
  acknowledge: `${D}modEventAcknowledge`,
  escalate: `${D}modEventEscalate`,
  comment: `${D}modEventComment`,
  label: `${D}modEventLabel`,
  mute: `${D}modEventMute`,
  unmute: `${D}modEventUnmute`,
  muteReporter: `${D}modEventMuteReporter`,
  unmuteReporter: `${D}modEventUnmuteReporter`,
  tag: `${D}modEventTag`,
  email: `${D}modEventEmail`,
  resolveAppeal: `${D}modEventResolveAppeal`,
  divert: `${D}modEventDivert`,
  report: `${D}modEventReport`,
  priorityScore: `${D}modEventPriorityScore`,
  accountEvent: `${D}accountEvent`,
  identityEvent: `${D}identityEvent`,
  recordEvent: `${D}recordEvent`,
  ageAssurance: `${D}ageAssuranceEvent`,
  ageAssuranceOverride: `${D}ageAssuranceOverrideEvent`,
  ageAssurancePurge: `${D}ageAssurancePurgeEvent`,
  revokeAccountCredentials: `${D}revokeAccountCredentialsEvent`,
  scheduleTakedown: `${D}scheduleTakedownEvent`,
  cancelScheduledTakedown: `${D}cancelScheduledTakedownEvent`,
} as const

/** Events that only record where the subject's host says it stands (automod sends them from the firehose). */
export const HOSTING_EVENTS: ReadonlySet<string> = new Set([EV.accountEvent, EV.identityEvent, EV.recordEvent])

export const EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(EV))

export const REVIEW = {
  open: `${D}reviewOpen`,
  escalated: `${D}reviewEscalated`,
  closed: `${D}reviewClosed`,
  none: `${D}reviewNone`,
} as const

export const REASON_APPEAL = 'com.atproto.moderation.defs#reasonAppeal'
/** Reports of these types are appeals (Ozone's isAppealReport). */
const APPEAL_REASONS = new Set([REASON_APPEAL, 'tools.ozone.report.defs#reasonAppeal'])
export const isAppealReport = (reasonType: string) => APPEAL_REASONS.has(reasonType)

/** Events that count as a moderator having reviewed the subject. */
const REVIEWING = new Set<string>([
  EV.takedown, EV.reverseTakedown, EV.acknowledge, EV.escalate, EV.label, EV.mute, EV.unmute, EV.email, EV.resolveAppeal, EV.divert,
  EV.comment, EV.muteReporter, EV.unmuteReporter,
])
const CLOSING = new Set<string>([EV.takedown, EV.reverseTakedown, EV.acknowledge, EV.label, EV.divert])

export type StatusInput = Omit<SubjectStatusRow, 'id'>

export function nextStatus(prev: SubjectStatusRow | null, subject: ModSubject, event: Record<string, any>, createdBy: string, now: Date): StatusInput {
  const at = now.toISOString()
  const s: StatusInput = prev
    ? { ...prev }
    : {
        did: subject.did,
        record_path: subject.recordPath,
        record_cid: subject.cid,
        blob_cids: '[]',
        review_state: REVIEW.none,
        created_at: at,
        updated_at: at,
        last_reviewed_by: null,
        last_reviewed_at: null,
        last_reported_at: null,
        last_appealed_at: null,
        takendown: 0,
        suspend_until: null,
        mute_until: null,
        mute_reporting_until: null,
        appealed: null,
        comment: null,
        tags: '[]',
        priority_score: null,
        age_assurance_state: 'unknown',
        age_assurance_updated_by: null,
        hosting_status: null,
        hosting_updated_at: null,
        hosting_deleted_at: null,
        hosting_deactivated_at: null,
        hosting_reactivated_at: null,
      }
  delete (s as Partial<SubjectStatusRow>).id
  s.updated_at = at
  if (subject.cid) s.record_cid = subject.cid
  if (subject.blobCids.length) s.blob_cids = JSON.stringify([...new Set([...JSON.parse(s.blob_cids), ...subject.blobCids])])
  const type: string = event.$type
  if (HOSTING_EVENTS.has(type)) {
    hosting(s, event, at)
    return s
  }
  if (REVIEWING.has(type)) {
    s.last_reviewed_by = createdBy
    s.last_reviewed_at = at
  }
  if (CLOSING.has(type)) s.review_state = REVIEW.closed
  switch (type) {
    case EV.report:
      if (APPEAL_REASONS.has(event.reportType)) {
        // An appeal goes to the escalated queue (as Ozone).
        s.appealed = 1
        s.last_appealed_at = at
        s.review_state = REVIEW.escalated
      } else {
        s.last_reported_at = at
        if (s.review_state !== REVIEW.escalated) s.review_state = REVIEW.open
      }
      break
    case EV.escalate:
      s.review_state = REVIEW.escalated
      break
    case EV.takedown:
      // A takedown settles an appeal (Ozone moves the subject out of the appealed state).
      if (s.appealed) s.appealed = 0
      s.takendown = 1
      s.suspend_until = event.durationInHours ? hoursFrom(now, event.durationInHours) : null
      break
    case EV.reverseTakedown:
      s.takendown = 0
      s.suspend_until = null
      break
    case EV.resolveAppeal:
      s.appealed = 0
      break
    case EV.mute:
      s.mute_until = hoursFrom(now, event.durationInHours)
      break
    case EV.unmute:
      s.mute_until = null
      break
    case EV.muteReporter:
      s.mute_reporting_until = event.durationInHours ? hoursFrom(now, event.durationInHours) : '9999-12-31T23:59:59.999Z'
      break
    case EV.unmuteReporter:
      s.mute_reporting_until = null
      break
    case EV.comment:
      if (event.sticky) s.comment = event.comment ?? null
      break
    case EV.tag: {
      const tags = new Set<string>(JSON.parse(s.tags))
      for (const t of event.add ?? []) tags.add(t)
      for (const t of event.remove ?? []) tags.delete(t)
      s.tags = JSON.stringify([...tags])
      break
    }
    case EV.priorityScore:
      s.priority_score = event.score
      break
    case EV.ageAssurance:
      // The user's own flow cannot override a moderator's decision, unless that decision was a reset.
      if (s.age_assurance_updated_by !== 'admin' || s.age_assurance_state === 'reset') {
        s.age_assurance_state = event.status
        s.age_assurance_updated_by = 'user'
      }
      break
    case EV.ageAssuranceOverride:
      s.age_assurance_state = event.status
      s.age_assurance_updated_by = 'admin'
      break
    case EV.ageAssurancePurge:
      s.age_assurance_state = 'unknown'
      s.age_assurance_updated_by = null
      break
  }
  return s
}

/** Ozone's getSubjectStatusForRecordEvent: the hosting fields an account, identity or record event sets. */
export function hosting(s: StatusInput, event: Record<string, any>, at: string): void {
  const when: string = typeof event.timestamp === 'string' ? event.timestamp : at
  const before = s.hosting_status
  switch (event.$type) {
    case EV.recordEvent:
      if (event.op === 'delete') (s.hosting_status = 'deleted'), (s.hosting_deleted_at = when)
      else if (event.op === 'update') (s.hosting_status = 'active'), (s.hosting_updated_at = when)
      break
    case EV.accountEvent:
      s.hosting_updated_at = when
      if (event.status) s.hosting_status = event.status
      if (event.status === 'deleted') s.hosting_deleted_at = when
      else if (event.status === 'deactivated') s.hosting_deactivated_at = when
      else if (before === 'deactivated' && event.active) (s.hosting_status = 'active'), (s.hosting_reactivated_at = when)
      break
    case EV.identityEvent:
      s.hosting_updated_at = when
      if (event.tombstone) (s.hosting_status = 'tombstoned'), (s.hosting_deleted_at = when)
      break
  }
}
