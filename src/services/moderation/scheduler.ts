// tools.ozone.moderation.scheduleAction / listScheduledActions / cancelScheduledActions: takedowns that
// the background job (jobs.ts) runs when due.
import { invalidInput } from '../errors.ts'
import * as scheduled from '../../storage/moderation/scheduled.ts'
import type { ScheduledActionRow } from '../../storage/moderation/scheduled.ts'
import type { ModContext } from './context.ts'
import { assertModerator, type Caller } from './team.ts'

const TAKEDOWN = 'tools.ozone.moderation.scheduleAction#takedown'
const STATUSES = new Set(['pending', 'executed', 'cancelled', 'failed'])

function view(r: ScheduledActionRow) {
  return Object.fromEntries(
    Object.entries({
      id: r.id,
      action: 'takedown',
      eventData: r.event_data ? JSON.parse(r.event_data) : undefined,
      did: r.did,
      executeAt: r.execute_at,
      executeAfter: r.execute_after,
      executeUntil: r.execute_until,
      randomizeExecution: r.randomize_execution === 1,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      status: r.status,
      lastExecutedAt: r.last_executed_at,
      lastFailureReason: r.last_failure_reason,
      executionEventId: r.execution_event_id,
    }).filter(([, v]) => v !== null && v !== undefined),
  )
}

export class Scheduler {
  constructor(private readonly ctx: ModContext) {}

  schedule(by: Caller, input: { action: Record<string, unknown>; subjects: string[]; scheduling: { executeAt?: string; executeAfter?: string; executeUntil?: string } }) {
    assertModerator(by, 'schedule actions')
    if (input.action.$type !== TAKEDOWN) throw invalidInput(`Unsupported action: ${String(input.action.$type)}`)
    const { executeAt, executeAfter, executeUntil } = input.scheduling
    if (!executeAt && !executeAfter) throw invalidInput('Must specify either executeAt or executeAfter')
    const { $type: _, ...eventData } = input.action
    const now = this.ctx.now().toISOString()
    const succeeded: string[] = []
    const failed: Array<{ subject: string; error: string; errorCode?: string }> = []
    for (const did of input.subjects) {
      if (!did.startsWith('did:')) {
        failed.push({ subject: did, error: 'Subject must be a DID', errorCode: 'InvalidSubject' })
        continue
      }
      scheduled.insertScheduled(this.ctx.db, {
        action: 'takedown',
        did,
        event_data: JSON.stringify(eventData),
        execute_at: executeAt ?? null,
        execute_after: executeAfter ?? null,
        execute_until: executeUntil ?? null,
        randomize_execution: executeAfter && executeUntil ? 1 : 0,
        created_by: by.did,
        created_at: now,
        updated_at: null,
        status: 'pending',
        last_executed_at: null,
        last_failure_reason: null,
        execution_event_id: null,
      })
      succeeded.push(did)
    }
    return { succeeded, failed }
  }

  list(q: { statuses: string[]; subjects?: string[]; startsAfter?: string; endsBefore?: string; limit?: number; cursor?: string }) {
    for (const s of q.statuses) if (!STATUSES.has(s)) throw invalidInput(`Unknown status: ${s}`)
    if (q.cursor !== undefined && !/^\d+$/.test(q.cursor)) throw invalidInput('Malformed cursor')
    const limit = q.limit ?? 50
    const rows = scheduled.listScheduled(this.ctx.db, { statuses: q.statuses, dids: q.subjects, startsAfter: q.startsAfter, endsBefore: q.endsBefore, cursor: q.cursor ? Number(q.cursor) : undefined, limit })
    return { actions: rows.map(view), ...(rows.length === limit ? { cursor: String(rows.at(-1)!.id) } : {}) }
  }

  cancel(by: Caller, subjects: string[]) {
    assertModerator(by, 'cancel scheduled actions')
    const cancelled = new Set(scheduled.cancelPending(this.ctx.db, subjects, this.ctx.now().toISOString()))
    const succeeded = subjects.filter((d) => cancelled.has(d))
    const failed = subjects.filter((d) => !cancelled.has(d)).map((did) => ({ did, error: 'No pending scheduled actions', errorCode: 'NoPendingActions' }))
    return { succeeded, failed }
  }
}
