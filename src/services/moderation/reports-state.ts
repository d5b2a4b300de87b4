// A report's status and what may change it, as Ozone's handle-report-update: activities (createActivity),
// moderation events that act on reports (emitEvent's reportAction) and routing into a queue.
import { invalidInput } from '../errors.ts'

export const REPORT_STATUSES = ['open', 'closed', 'escalated', 'queued', 'assigned'] as const
export type ReportStatus = (typeof REPORT_STATUSES)[number]

export const ACTIVITY_TYPES = ['queueActivity', 'assignmentActivity', 'escalationActivity', 'closeActivity', 'reopenActivity', 'noteActivity'] as const
export type ActivityType = (typeof ACTIVITY_TYPES)[number]
export const ACTIVITY_PREFIX = 'tools.ozone.report.defs#'

const TRANSITIONS: Record<string, string[]> = {
  open: ['closed', 'escalated', 'queued', 'assigned'],
  closed: ['open'],
  escalated: ['open', 'closed'],
  queued: ['assigned', 'open', 'closed'],
  assigned: ['open', 'closed', 'escalated', 'queued'],
}

const ACTIVITY_TARGET: Record<string, ReportStatus> = {
  queueActivity: 'queued',
  assignmentActivity: 'assigned',
  escalationActivity: 'escalated',
  closeActivity: 'closed',
  reopenActivity: 'open',
}

/** Moderation events that move the reports they target (Ozone's EVENT_TYPE_MAP). */
const EVENT_TARGET: Record<string, { status: ReportStatus; activity: ActivityType }> = {
  'tools.ozone.moderation.defs#modEventAcknowledge': { status: 'closed', activity: 'closeActivity' },
  'tools.ozone.moderation.defs#modEventTakedown': { status: 'closed', activity: 'closeActivity' },
  'tools.ozone.moderation.defs#modEventLabel': { status: 'closed', activity: 'closeActivity' },
  'tools.ozone.moderation.defs#modEventComment': { status: 'closed', activity: 'closeActivity' },
  'tools.ozone.moderation.defs#modEventEscalate': { status: 'escalated', activity: 'escalationActivity' },
}

/** The change to make: a new status (null: none) and the activity to record (null: none). */
export type Transition = { next: ReportStatus | null; activity: { type: ActivityType; previousStatus: string } | null }

function validate(from: string, to: string): void {
  if (from === to) throw invalidInput(`Report is already in '${to}' status`, 'AlreadyInTargetState')
  if (!TRANSITIONS[from]?.includes(to)) throw invalidInput(`Cannot transition report from '${from}' to '${to}'`, 'InvalidStateTransition')
}

/** An activity on a report; throws AlreadyInTargetState or InvalidStateTransition as Ozone does. */
export function forActivity(current: string, type: ActivityType): Transition {
  const to = ACTIVITY_TARGET[type]
  if (!to) return { next: null, activity: null } // a note: no status change
  if (type === 'reopenActivity' && current !== 'closed') throw invalidInput(`Cannot transition report from '${current}' to 'open'`, 'InvalidStateTransition')
  validate(current, to)
  return { next: to, activity: { type, previousStatus: current } }
}

/** A moderation event's effect on a report it targets; null when the event does not move reports. */
export function forEvent(current: string, eventType: string): Transition | null {
  const target = EVENT_TARGET[eventType]
  if (!target) return null
  validate(current, target.status)
  return { next: target.status, activity: { type: target.activity, previousStatus: current } }
}

/** Routing into a queue moves only open reports (to queued); the others keep their status. */
export function forRouting(current: string): Transition {
  return current === 'open' ? { next: 'queued', activity: { type: 'queueActivity', previousStatus: current } } : { next: null, activity: null }
}

/** Whether a transition is allowed, without throwing (bulk flows skip the reports that cannot move). */
export function tryTransition(fn: () => Transition | null): Transition | null {
  try {
    return fn()
  } catch (err) {
    if ((err as { code?: string }).code === 'AlreadyInTargetState' || (err as { code?: string }).code === 'InvalidStateTransition') return null
    throw err
  }
}
