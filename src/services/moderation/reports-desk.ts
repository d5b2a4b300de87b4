// tools.ozone.report.*: reports as rows (query, get), their activities (createActivity with Ozone's status
// rules, listActivities, queryActivities), closing a subject's reports, moving a report to another queue,
// and emitEvent's reportAction (the event closes or escalates the reports it targets).
import * as queues from '../../storage/moderation/report-queues.ts'
import * as store from '../../storage/moderation/reports.ts'
import type { ReportRow } from '../../storage/moderation/reports.ts'
import { invalidInput } from '../errors.ts'
import type { ModContext } from './context.ts'
import { cursorId } from './reports-queues.ts'
import { ACTIVITY_PREFIX, ACTIVITY_TYPES, forActivity, forEvent, tryTransition, type ActivityType, type Transition } from './reports-state.ts'
import type { ReportStats } from './reports-stats.ts'
import { activityView, memberViews, reportViews } from './reports-views.ts'
import { subjectFromString } from './subject.ts'
import type { Caller } from './team.ts'

export type ReportQuery = {
  status: string
  queueId?: number
  reportTypes?: string[]
  subject?: string
  did?: string
  subjectType?: string
  collections?: string[]
  reportedAfter?: string
  reportedBefore?: string
  isMuted?: boolean
  assignedTo?: string
  sortField?: 'createdAt' | 'updatedAt'
  sortDirection?: 'asc' | 'desc'
  limit?: number
  cursor?: string
}

export type ReportActionInput = { ids?: number[]; types?: string[]; all?: boolean; note?: string }

type Note = { internalNote?: string; publicNote?: string; meta?: unknown; isAutomated?: boolean }

export class ReportDesk {
  constructor(
    private readonly ctx: ModContext,
    private readonly stats: ReportStats,
  ) {}

  private now = () => this.ctx.now().toISOString()

  async query(q: ReportQuery) {
    const limit = q.limit ?? 50
    const sortField = q.sortField ?? 'createdAt'
    let cursor: { value: string; id: number } | undefined
    if (q.cursor !== undefined) {
      const m = /^(.+)::(\d{1,15})$/.exec(q.cursor)
      if (!m) throw invalidInput('Malformed cursor')
      cursor = { value: m[1]!, id: Number(m[2]) }
    }
    const subject = q.subject ? subjectFromString(q.subject) : undefined
    // Chat subjects are not kept here, and a subject of another DID than `did` matches nothing.
    if (q.subjectType === 'message' || q.subjectType === 'conversation' || (subject && q.did && q.did !== subject.did)) return { reports: [] }
    const rows = store.queryReports(this.ctx.db, {
      status: q.status,
      queueId: q.queueId,
      did: subject?.did ?? q.did,
      recordPath: subject?.recordPath,
      subjectType: q.subjectType as 'account' | 'record' | undefined,
      collections: q.subjectType === 'account' ? undefined : q.collections,
      reportTypes: q.reportTypes,
      isMuted: q.isMuted,
      reportedAfter: q.reportedAfter,
      reportedBefore: q.reportedBefore,
      assignedTo: q.assignedTo,
      sortField,
      sortDirection: q.sortDirection ?? 'desc',
      cursor,
      limit,
    })
    const last = rows.at(-1)
    const next = rows.length === limit && last ? { cursor: `${sortField === 'updatedAt' ? last.updated_at : last.created_at}::${last.id}` } : {}
    return { reports: await reportViews(this.ctx, this.stats, rows), ...next }
  }

  async get(id: number) {
    const row = store.getReportWithEvent(this.ctx.db, id)
    if (!row) throw invalidInput(`Report not found: ${id}`, 'NotFound')
    return (await reportViews(this.ctx, this.stats, [row], { withActions: true }))[0]!
  }

  async latest() {
    const row = store.latestReport(this.ctx.db)
    if (!row) throw invalidInput('No report found', 'NotFound')
    return { report: (await reportViews(this.ctx, this.stats, [row]))[0]! }
  }

  /** Applies a transition to one report and records its activity (inside the caller's transaction). */
  private record(report: ReportRow, type: ActivityType, t: Transition, by: string, note: Note, now: string) {
    if (t.next) {
      store.updateReport(this.ctx.db, report.id, {
        status: t.next,
        updated_at: now,
        ...(t.next === 'closed' ? { closed_at: now } : t.next === 'open' ? { closed_at: null } : {}),
      })
    }
    return store.insertActivity(this.ctx.db, {
      report_id: report.id,
      activity_type: type,
      previous_status: t.activity?.previousStatus ?? null,
      internal_note: note.internalNote ?? null,
      public_note: note.publicNote ?? null,
      meta: note.meta === undefined ? null : JSON.stringify(note.meta),
      is_automated: note.isAutomated ? 1 : 0,
      created_by: by,
      created_at: now,
    })
  }

  /** An activity on a report by id or by its report event's id; the status changes with it, atomically. */
  activity(by: string, input: { reportId?: number; eventId?: number; activityType: string } & Note) {
    if ((input.reportId === undefined) === (input.eventId === undefined)) throw invalidInput('Exactly one of reportId or eventId must be provided')
    const type = (input.activityType.startsWith(ACTIVITY_PREFIX) ? input.activityType.slice(ACTIVITY_PREFIX.length) : input.activityType) as ActivityType
    if (!ACTIVITY_TYPES.includes(type)) throw invalidInput(`Unknown activity type: ${input.activityType}`, 'InvalidActivityType')
    return this.ctx.db.transaction(() => {
      const report = input.reportId !== undefined ? store.getReport(this.ctx.db, input.reportId) : store.reportForEvent(this.ctx.db, input.eventId!)
      if (!report) throw invalidInput(input.reportId !== undefined ? `Report ${input.reportId} not found` : `Report for event ${input.eventId} not found`, 'ReportNotFound')
      return this.record(report, type, forActivity(report.status, type), by, input, this.now())
    })()
  }

  async createActivity(caller: Caller, input: { reportId?: number; eventId?: number; activity: { $type?: string }; internalNote?: string; publicNote?: string; isAutomated?: boolean }) {
    const row = this.activity(caller.did, { ...input, activityType: input.activity.$type ?? '' })
    return { activity: activityView(row, await memberViews(this.ctx, [row.created_by])) }
  }

  async listActivities(q: { reportId: number; limit?: number; cursor?: string }) {
    const limit = q.limit ?? 50
    const rows = store.listActivities(this.ctx.db, q.reportId, q.cursor === undefined ? undefined : cursorId(q.cursor), limit)
    const members = await memberViews(this.ctx, rows.map((r) => r.created_by))
    const last = rows.at(-1)
    return { activities: rows.map((r) => activityView(r, members)), ...(rows.length === limit && last ? { cursor: String(last.id) } : {}) }
  }

  async queryActivities(q: { activityTypes?: string[]; createdAfter?: string; createdBefore?: string; sortDirection?: 'asc' | 'desc'; limit?: number; cursor?: string }) {
    const limit = q.limit ?? 50
    let cursor: { createdAt: string; id: number } | undefined
    if (q.cursor !== undefined) {
      const m = /^(\d{1,15})::(\d{1,15})$/.exec(q.cursor)
      if (!m) throw invalidInput('Malformed cursor')
      cursor = { createdAt: new Date(Number(m[1])).toISOString(), id: Number(m[2]) }
    }
    const types = q.activityTypes?.map((t) => (t.startsWith(ACTIVITY_PREFIX) ? t.slice(ACTIVITY_PREFIX.length) : t))
    const rows = store.queryActivities(this.ctx.db, { types, createdAfter: q.createdAfter, createdBefore: q.createdBefore, sortDirection: q.sortDirection ?? 'desc', cursor, limit })
    const reports = store.reportsByIds(this.ctx.db, [...new Set(rows.map((r) => r.report_id))])
    const views = await reportViews(this.ctx, this.stats, reports)
    const byId = new Map(reports.map((r, i) => [r.id, views[i]!]))
    const members = await memberViews(this.ctx, rows.map((r) => r.created_by))
    const last = rows.at(-1)
    return { activities: rows.map((r) => activityView(r, members, byId)), ...(rows.length === limit && last ? { cursor: `${Date.parse(last.created_at)}::${last.id}` } : {}) }
  }

  /** Closes a subject's reports that may be closed (the others are skipped), each with a close activity. */
  closeReports(caller: Caller, input: { subject: string; reportTypes?: string[]; internalNote?: string; isAutomated?: boolean }) {
    if (!input.subject.startsWith('at://') && !input.subject.startsWith('did:')) throw invalidInput('Subject must be a DID or an AT-URI')
    const subject = subjectFromString(input.subject)
    const now = this.now()
    return this.ctx.db.transaction(() => {
      const reportIds: number[] = []
      for (const report of store.openReportsOnSubject(this.ctx.db, { did: subject.did, recordPath: subject.recordPath, reportTypes: input.reportTypes })) {
        const t = tryTransition(() => forActivity(report.status, 'closeActivity'))
        if (!t) continue
        this.record(report, 'closeActivity', t, caller.did, { internalNote: input.internalNote, isAutomated: input.isAutomated }, now)
        reportIds.push(report.id)
      }
      return { closedCount: reportIds.length, reportIds }
    })()
  }

  /** Moves a report to another queue (-1: none); open ↔ queued follows, with a queue activity. */
  async reassignQueue(caller: Caller, input: { reportId: number; queueId: number; comment?: string }) {
    const { reportId, queueId } = input
    if (queueId !== -1) {
      const queue = queues.getQueue(this.ctx.db, queueId)
      if (!queue) throw invalidInput(`Queue ${queueId} not found`, 'QueueNotFound')
      if (queue.enabled !== 1) throw invalidInput(`Queue ${queueId} is disabled`, 'QueueDisabled')
    }
    const now = this.now()
    this.ctx.db.transaction(() => {
      const report = store.getReport(this.ctx.db, reportId)
      if (!report) throw invalidInput(`Report ${reportId} not found`, 'ReportNotFound')
      if (report.status === 'closed') throw invalidInput(`Report ${reportId} is closed and cannot be reassigned`, 'ReportClosed')
      if ((report.queue_id ?? -1) === queueId) throw invalidInput(`Report ${reportId} is already in queue ${queueId}`, 'AlreadyInTargetQueue')
      const next = queueId !== -1 && report.status === 'open' ? 'queued' : queueId === -1 && report.status === 'queued' ? 'open' : null
      store.updateReport(this.ctx.db, reportId, { queue_id: queueId, queued_at: queueId === -1 ? null : now, updated_at: now, ...(next ? { status: next } : {}) })
      store.insertActivity(this.ctx.db, {
        report_id: reportId,
        activity_type: 'queueActivity',
        previous_status: report.status,
        internal_note: input.comment ?? null,
        public_note: null,
        meta: JSON.stringify({ fromQueueId: report.queue_id ?? null, toQueueId: queueId }),
        is_automated: 0,
        created_by: caller.did,
        created_at: now,
      })
    })()
    return { report: await this.get(reportId) }
  }

  /**
   * emitEvent's reportAction, checked before the event is recorded: the targeted reports of the subject
   * (ids, types or all) that are not closed. Unknown ids are refused, as Ozone does.
   */
  reportActionTargets(subject: { did: string; recordPath: string }, action: ReportActionInput): ReportRow[] {
    if (!action.ids?.length && !action.types?.length && !action.all) throw invalidInput('reportAction must specify ids, types, or all')
    const found = store.openReportsOnSubject(this.ctx.db, { did: subject.did, recordPath: subject.recordPath, ids: action.all ? undefined : action.ids, reportTypes: action.all || action.ids?.length ? undefined : action.types })
    if (!found.length && !action.all) throw invalidInput(`No matching reports found for the specified report ${action.ids?.length ? 'IDs' : 'types'} on this subject`)
    const missing = (action.all ? [] : (action.ids ?? [])).filter((id) => !found.some((r) => r.id === id))
    if (missing.length) throw invalidInput(`Report IDs ${missing.join(', ')} do not exist, are already closed, or do not belong to this subject`)
    return found
  }

  /** A report that is not closed, with its subject's key; undefined otherwise. */
  openReport(id: number): { id: number; did: string; recordPath: string } | undefined {
    const r = store.getReport(this.ctx.db, id)
    return r && r.status !== 'closed' ? { id: r.id, did: r.did, recordPath: r.record_path } : undefined
  }

  /** After the event: each targeted report moves as the event says (reports that cannot are skipped). */
  applyReportAction(targets: ReportRow[], event: { id: number; type: string; createdBy: string }, note?: string): number {
    const now = this.now()
    return this.ctx.db.transaction(() => {
      let moved = 0
      for (const target of targets) {
        const report = store.getReport(this.ctx.db, target.id)
        const t = report && tryTransition(() => forEvent(report.status, event.type))
        if (!report || !t?.activity) continue
        const ids = [event.id, ...(report.action_event_ids ? (JSON.parse(report.action_event_ids) as number[]) : [])]
        store.updateReport(this.ctx.db, report.id, { action_event_ids: JSON.stringify(ids), action_note: note ?? null })
        this.record(report, t.activity.type, t, event.createdBy, { publicNote: note }, now)
        moved++
      }
      return moved
    })()
  }
}
