// tools.ozone.queue.*: queues with their routing rules (create, update, delete with the reports moved
// elsewhere, list with today's figures), re-routing a range of reports, and moderators on queues.
import * as queues from '../../storage/moderation/report-queues.ts'
import type { QueueRow } from '../../storage/moderation/report-queues.ts'
import * as store from '../../storage/moderation/reports.ts'
import { getSetting } from '../../storage/moderation/team-config.ts'
import { authRequired, forbidden, invalidInput } from '../errors.ts'
import type { ModContext } from './context.ts'
import { routeReports } from './reports-routing.ts'
import type { ReportStats } from './reports-stats.ts'
import { assignmentView, memberViews, queueView, queueWithStats } from './reports-views.ts'
import { assertModerator, isAdmin, isModerator, type Caller } from './team.ts'

const SUBJECT_TYPES = ['account', 'record', 'message', 'conversation']
const POLICY_LIST = 'tools.ozone.setting.policyList'

export type NewQueue = { name: string; subjectTypes?: string[]; collection?: string; reportTypes?: string[]; description?: string; recommendedPolicies?: string[] }

const overlaps = (a: string[], b: string[]) => a.some((x) => b.includes(x))

export class ReportQueues {
  constructor(
    private readonly ctx: ModContext,
    private readonly stats: ReportStats,
  ) {}

  private now = () => this.ctx.now().toISOString()

  /** Recommended policies must be keys of the team's policy list setting (Ozone's policyList). */
  private assertPolicies(keys: string[]): void {
    const setting = getSetting(this.ctx.db, 'instance', '', POLICY_LIST)
    const list = setting ? JSON.parse(setting.value) : null
    const known = new Set(list && typeof list === 'object' ? Object.keys(list) : [])
    const unknown = keys.filter((k) => !known.has(k))
    if (unknown.length) throw invalidInput(`Unknown recommended policy keys: ${unknown.join(', ')}`, 'InvalidRecommendedPolicies')
  }

  private existing(id: number, what = 'Queue'): QueueRow {
    const q = queues.getQueue(this.ctx.db, id)
    if (!q) throw invalidInput(`${what} with id ${id} does not exist`, 'QueueNotFound')
    return q
  }

  create(caller: Caller, input: NewQueue) {
    if (!isModerator(caller)) throw authRequired('Must be a moderator to create a queue')
    const subjectTypes = input.subjectTypes ?? []
    const reportTypes = input.reportTypes ?? []
    const invalid = subjectTypes.filter((t) => !SUBJECT_TYPES.includes(t))
    if (invalid.length) throw invalidInput(`Invalid subject types: ${invalid.join(', ')}. Allowed values: ${SUBJECT_TYPES.join(', ')}`, 'InvalidSubjectType')
    if (input.collection && !subjectTypes.includes('record')) throw invalidInput('collection can only be specified when subjectTypes includes "record"', 'InvalidCollection')
    this.assertPolicies(input.recommendedPolicies ?? [])
    // Two queues may not claim the same reports: same collection, overlapping subject and report types.
    for (const other of queues.listQueues(this.ctx.db, { limit: 10_000 })) {
      if (other.name === input.name) throw invalidInput('A queue with that name already exists', 'ConflictingQueue')
      if ((input.collection ?? null) === other.collection && overlaps(subjectTypes, JSON.parse(other.subject_types)) && overlaps(reportTypes, JSON.parse(other.report_types))) {
        throw invalidInput(`Queue configuration conflicts with existing queue: ${other.name}`, 'ConflictingQueue')
      }
    }
    const now = this.now()
    const row = queues.insertQueue(this.ctx.db, {
      name: input.name,
      description: input.description ?? null,
      subject_types: JSON.stringify(subjectTypes),
      collection: input.collection ?? null,
      report_types: JSON.stringify(reportTypes),
      recommended_policies: JSON.stringify(input.recommendedPolicies ?? []),
      created_by: caller.did,
      created_at: now,
      updated_at: now,
      enabled: 1,
    })
    return { queue: queueWithStats(row, this.stats) }
  }

  update(caller: Caller, input: { queueId: number; name?: string; enabled?: boolean; description?: string; recommendedPolicies?: string[] }) {
    if (!isModerator(caller)) throw authRequired('Must be a moderator to update a queue')
    const { queueId, name, enabled, description, recommendedPolicies } = input
    if (name === undefined && enabled === undefined && description === undefined && recommendedPolicies === undefined) throw invalidInput('At least one queue property must be provided')
    this.existing(queueId)
    if (recommendedPolicies !== undefined) this.assertPolicies(recommendedPolicies)
    if (name !== undefined && queues.listQueues(this.ctx.db, { limit: 10_000 }).some((q) => q.name === name && q.id !== queueId)) {
      throw invalidInput('A queue with that name already exists', 'ConflictingQueue')
    }
    const row = queues.updateQueue(this.ctx.db, queueId, {
      ...(name !== undefined ? { name } : {}),
      ...(enabled !== undefined ? { enabled: enabled ? 1 : 0 } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(recommendedPolicies !== undefined ? { recommended_policies: JSON.stringify(recommendedPolicies) } : {}),
      updated_at: this.now(),
    })
    return { queue: queueWithStats(row, this.stats) }
  }

  /** Soft delete; its reports that are not closed go to migrateToQueueId, else to no queue (-1). */
  delete(caller: Caller, input: { queueId: number; migrateToQueueId?: number }) {
    if (!isModerator(caller)) throw authRequired('Must be a moderator to delete a queue')
    this.existing(input.queueId)
    if (input.migrateToQueueId !== undefined) this.existing(input.migrateToQueueId, 'Target queue')
    const now = this.now()
    const reportsMigrated = this.ctx.db.transaction(() => {
      const moved = store.migrateQueueReports(this.ctx.db, input.queueId, input.migrateToQueueId ?? -1, now)
      queues.updateQueue(this.ctx.db, input.queueId, { deleted_at: now })
      return moved
    })()
    return { deleted: true, reportsMigrated }
  }

  list(q: { enabled?: boolean; subjectType?: string; collection?: string; reportTypes?: string[]; limit?: number; cursor?: string }) {
    const limit = q.limit ?? 50
    let after: { createdAt: string; id: number } | undefined
    if (q.cursor !== undefined) {
      const m = /^(.+)::(\d{1,15})$/.exec(q.cursor)
      if (!m) throw invalidInput('Malformed cursor')
      after = { createdAt: m[1]!, id: Number(m[2]) }
    }
    const rows = queues.listQueues(this.ctx.db, { ...q, after, limit })
    const last = rows.at(-1)
    return { queues: rows.map((r) => queueWithStats(r, this.stats)), ...(rows.length === limit && last ? { cursor: `${last.created_at}::${last.id}` } : {}) }
  }

  route(caller: Caller, input: { startReportId: number; endReportId: number }) {
    assertModerator(caller, 're-route reports')
    return routeReports(this.ctx.db, input.startReportId, input.endReportId, this.now())
  }

  // ---- moderators on queues: permanent until unassigned

  private assertSelfOrAdmin(caller: Caller, did: string): void {
    if (!isModerator(caller) || (did !== caller.did && !isAdmin(caller))) throw forbidden('Unauthorized')
  }

  async assign(caller: Caller, input: { queueId: number; did: string }) {
    this.assertSelfOrAdmin(caller, input.did)
    const queue = queues.getQueue(this.ctx.db, input.queueId)
    if (!queue || queue.enabled !== 1) throw invalidInput('Invalid queue', 'InvalidAssignment')
    const now = this.now()
    const row = this.ctx.db.transaction(() => {
      const existing = store.activeAssignment(this.ctx.db, { queueId: input.queueId, did: input.did }, now)
      if (existing) return existing.end_at === null ? existing : store.updateAssignment(this.ctx.db, existing.id, { end_at: null })
      return store.insertAssignment(this.ctx.db, { did: input.did, report_id: null, queue_id: input.queueId, start_at: now, end_at: null })
    })()
    const members = await memberViews(this.ctx, [row.did])
    return assignmentView(row, members.get(row.did), queueView(queue, {}))
  }

  unassign(caller: Caller, input: { queueId: number; did: string }): void {
    this.assertSelfOrAdmin(caller, input.did)
    const now = this.now()
    const existing = store.activeAssignment(this.ctx.db, { queueId: input.queueId, did: input.did }, now)
    if (!existing) throw invalidInput('No active assignment found', 'InvalidAssignment')
    store.updateAssignment(this.ctx.db, existing.id, { end_at: now })
  }

  async assignments(q: { onlyActive?: boolean; queueIds?: number[]; dids?: string[]; limit?: number; cursor?: string }) {
    const limit = q.limit ?? 50
    const beforeId = q.cursor === undefined ? undefined : cursorId(q.cursor)
    const rows = store.queryAssignments(this.ctx.db, { kind: 'queue', onlyActive: q.onlyActive ?? true, now: this.now(), queueIds: q.queueIds, dids: q.dids, beforeId, limit })
    const members = await memberViews(this.ctx, rows.map((r) => r.did))
    const queueRows = new Map(queues.queuesByIds(this.ctx.db, [...new Set(rows.map((r) => r.queue_id!))]).map((qr) => [qr.id, queueView(qr, {})]))
    const last = rows.at(-1)
    return { assignments: rows.map((r) => assignmentView(r, members.get(r.did), queueRows.get(r.queue_id!))), ...(rows.length === limit && last ? { cursor: String(last.id) } : {}) }
  }
}

export function cursorId(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw invalidInput('Malformed cursor')
  return Number(cursor)
}
