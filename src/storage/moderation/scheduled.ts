// mod_scheduled_action: takedowns to run later (scheduleAction), picked up by the moderation job.
import type { Database } from 'bun:sqlite'

export type ScheduledActionRow = {
  id: number
  action: string
  did: string
  event_data: string | null
  execute_at: string | null
  execute_after: string | null
  execute_until: string | null
  randomize_execution: number
  created_by: string
  created_at: string
  updated_at: string | null
  status: string
  last_executed_at: string | null
  last_failure_reason: string | null
  execution_event_id: number | null
}

export function insertScheduled(db: Database, a: Omit<ScheduledActionRow, 'id'>): ScheduledActionRow {
  const cols = Object.keys(a) as (keyof typeof a)[]
  return db
    .query<ScheduledActionRow, any[]>(`INSERT INTO mod_scheduled_action (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING *`)
    .get(...cols.map((c) => a[c]))!
}

export function listScheduled(db: Database, q: { statuses: string[]; dids?: string[]; startsAfter?: string; endsBefore?: string; cursor?: number; limit: number }): ScheduledActionRow[] {
  const where = [`status IN (${q.statuses.map(() => '?').join(', ')})`]
  const args: (string | number)[] = [...q.statuses]
  if (q.dids?.length) (where.push(`did IN (${q.dids.map(() => '?').join(', ')})`), args.push(...q.dids))
  if (q.startsAfter) (where.push('coalesce(execute_at, execute_after) > ?'), args.push(q.startsAfter))
  if (q.endsBefore) (where.push('coalesce(execute_at, execute_until) < ?'), args.push(q.endsBefore))
  if (q.cursor !== undefined) (where.push('id < ?'), args.push(q.cursor))
  return db.query<ScheduledActionRow, any[]>(`SELECT * FROM mod_scheduled_action WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT +?`).all(...args, q.limit)
}

export function dueScheduled(db: Database, now: string): ScheduledActionRow[] {
  return db
    .query<ScheduledActionRow, [string]>("SELECT * FROM mod_scheduled_action WHERE status = 'pending' AND coalesce(execute_at, execute_after) <= ? ORDER BY id")
    .all(now)
}

/** Cancels the pending actions of these accounts; returns the accounts that had one. */
export function cancelPending(db: Database, dids: string[], now: string): string[] {
  if (dids.length === 0) return []
  return db
    .query<{ did: string }, any[]>(
      `UPDATE mod_scheduled_action SET status = 'cancelled', updated_at = ? WHERE status = 'pending' AND did IN (${dids.map(() => '?').join(', ')}) RETURNING did`,
    )
    .all(now, ...dids)
    .map((r) => r.did)
}

export function finishScheduled(db: Database, id: number, r: { status: 'executed' | 'failed'; at: string; eventId?: number; failure?: string }): void {
  db.query('UPDATE mod_scheduled_action SET status = ?, last_executed_at = ?, updated_at = ?, execution_event_id = ?, last_failure_reason = ? WHERE id = ?').run(
    r.status,
    r.at,
    r.at,
    r.eventId ?? null,
    r.failure ?? null,
    id,
  )
}
