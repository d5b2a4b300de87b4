// tools.ozone.report.assignModerator / unassignModerator / getAssignments: a moderator takes a report,
// for a few minutes (Ozone's 5-minute claim while reviewing) or for good (isPermanent: the report moves
// to 'assigned', with an assignment activity); releasing a permanent one sends it back to its queue.
import * as queues from '../../storage/moderation/report-queues.ts'
import * as store from '../../storage/moderation/reports.ts'
import type { AssignmentRow } from '../../storage/moderation/reports.ts'
import { forbidden, invalidInput } from '../errors.ts'
import type { ModContext } from './context.ts'
import type { ReportDesk } from './reports-desk.ts'
import { cursorId } from './reports-queues.ts'
import { assignmentView, memberViews, queueView } from './reports-views.ts'
import { isAdmin, type Caller } from './team.ts'

/** How long a claim that is not permanent lasts (Ozone's OZONE_ASSIGNMENT_REPORT_DURATION_MS default). */
const CLAIM_MS = 5 * 60_000

export class ReportAssignments {
  constructor(
    private readonly ctx: ModContext,
    private readonly desk: ReportDesk,
  ) {}

  private async view(row: AssignmentRow) {
    const members = await memberViews(this.ctx, [row.did])
    const queue = row.queue_id !== null ? queues.queuesByIds(this.ctx.db, [row.queue_id])[0] : undefined
    return assignmentView(row, members.get(row.did), queue ? queueView(queue, {}) : undefined)
  }

  async assign(caller: Caller, input: { reportId: number; queueId?: number; did?: string; isPermanent?: boolean }) {
    const did = input.did ?? caller.did
    if (did !== caller.did && !isAdmin(caller)) throw forbidden('Unauthorized')
    if (!store.getReport(this.ctx.db, input.reportId)) throw invalidInput('Invalid report', 'InvalidAssignment')
    if (input.queueId !== undefined) {
      const queue = queues.getQueue(this.ctx.db, input.queueId)
      if (!queue || queue.enabled !== 1) throw invalidInput('Invalid queue', 'InvalidAssignment')
    }
    const now = this.ctx.now()
    const nowIso = now.toISOString()
    const row = this.ctx.db.transaction(() => {
      const existing = store.activeAssignment(this.ctx.db, { reportId: input.reportId }, nowIso)
      const queueId = input.queueId ?? existing?.queue_id ?? null
      if (input.isPermanent) {
        const permanent = store.activeAssignment(this.ctx.db, { reportId: input.reportId }, nowIso, { permanentOnly: true })
        if (permanent && permanent.did !== did) throw invalidInput('Report already assigned', 'AlreadyAssigned')
        const held = permanent ?? existing
        const result = held
          ? store.updateAssignment(this.ctx.db, held.id, { did, end_at: null, queue_id: queueId })
          : store.insertAssignment(this.ctx.db, { did, report_id: input.reportId, queue_id: queueId, start_at: nowIso, end_at: null })
        store.updateReport(this.ctx.db, input.reportId, { assigned_to: did, assigned_at: nowIso })
        // The report moves to 'assigned' in the same transaction: a report that may not (closed) keeps no
        // assignment. Already assigned (a repeated call): nothing changed, nothing to record.
        try {
          this.desk.activity(caller.did, { reportId: input.reportId, activityType: 'assignmentActivity', meta: { assignedTo: did } })
        } catch (err) {
          if ((err as { code?: string }).code !== 'AlreadyInTargetState') throw err
        }
        return result
      }
      if (existing && existing.did !== did) throw invalidInput('Report already assigned', 'AlreadyAssigned')
      const endAt = new Date(now.getTime() + CLAIM_MS).toISOString()
      if (existing) return store.updateAssignment(this.ctx.db, existing.id, { end_at: existing.end_at === null ? null : endAt, queue_id: queueId })
      return store.insertAssignment(this.ctx.db, { did, report_id: input.reportId, queue_id: queueId, start_at: nowIso, end_at: endAt })
    })()
    return this.view(row)
  }

  async unassign(caller: Caller, input: { reportId: number }) {
    const report = store.getReport(this.ctx.db, input.reportId)
    if (!report) throw invalidInput('Invalid report', 'InvalidAssignment')
    const now = this.ctx.now().toISOString()
    const ended = this.ctx.db.transaction(() => {
      const existing = store.activeAssignment(this.ctx.db, { reportId: input.reportId }, now)
      if (!existing) throw invalidInput('Report is not assigned', 'InvalidAssignment')
      const row = store.updateAssignment(this.ctx.db, existing.id, { end_at: now })
      // Released from outside any queue: back to open rather than stuck in 'assigned'.
      const back = report.status === 'assigned' && existing.queue_id === null ? { status: 'open', updated_at: now } : {}
      store.updateReport(this.ctx.db, input.reportId, { assigned_to: null, assigned_at: null, ...back })
      // Released from its queue: back to queued, for another moderator to take.
      if (report.status === 'assigned' && existing.queue_id !== null) {
        try {
          this.desk.activity(caller.did, { reportId: input.reportId, activityType: 'queueActivity' })
        } catch (err) {
          const code = (err as { code?: string }).code
          if (code !== 'AlreadyInTargetState' && code !== 'InvalidStateTransition') throw err
        }
      }
      return row
    })()
    return this.view(ended)
  }

  async list(q: { onlyActive?: boolean; reportIds?: number[]; dids?: string[]; limit?: number; cursor?: string }) {
    const limit = q.limit ?? 50
    const rows = store.queryAssignments(this.ctx.db, {
      kind: 'report',
      onlyActive: q.onlyActive ?? true,
      now: this.ctx.now().toISOString(),
      reportIds: q.reportIds,
      dids: q.dids,
      beforeId: q.cursor === undefined ? undefined : cursorId(q.cursor),
      limit,
    })
    const members = await memberViews(this.ctx, rows.map((r) => r.did))
    const queueViews = new Map(queues.queuesByIds(this.ctx.db, [...new Set(rows.map((r) => r.queue_id).filter((id): id is number => id !== null))]).map((qr) => [qr.id, queueView(qr, {})]))
    const last = rows.at(-1)
    return {
      assignments: rows.map((r) => assignmentView(r, members.get(r.did), r.queue_id !== null ? queueViews.get(r.queue_id) : undefined)),
      ...(rows.length === limit && last ? { cursor: String(last.id) } : {}),
    }
  }
}
