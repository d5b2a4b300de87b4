// The report_queue and report_stat tables (tools.ozone.queue.*, the report statistics), and the counts
// the statistics are computed from.
import type { Database } from 'bun:sqlite'

export type QueueRow = {
  id: number
  name: string
  description: string | null
  subject_types: string
  collection: string | null
  report_types: string
  recommended_policies: string
  created_by: string
  created_at: string
  updated_at: string
  enabled: number
  deleted_at: string | null
}

type Value = string | number | null

export function insertQueue(db: Database, q: Omit<QueueRow, 'id' | 'deleted_at'>): QueueRow {
  return db
    .query<QueueRow, Value[]>(
      `INSERT INTO report_queue (name, description, subject_types, collection, report_types, recommended_policies, created_by, created_at, updated_at, enabled)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(q.name, q.description, q.subject_types, q.collection, q.report_types, q.recommended_policies, q.created_by, q.created_at, q.updated_at, q.enabled)!
}

/** A queue that is not deleted. */
export const getQueue = (db: Database, id: number) => db.query<QueueRow, [number]>('SELECT * FROM report_queue WHERE id = ? AND deleted_at IS NULL').get(id)

/** Queues by id, deleted ones included (a closed report keeps its deleted queue). */
export function queuesByIds(db: Database, ids: number[]): QueueRow[] {
  if (!ids.length) return []
  return db.query<QueueRow, number[]>(`SELECT * FROM report_queue WHERE id IN (${ids.map(() => '?').join(', ')})`).all(...ids)
}

export function updateQueue(db: Database, id: number, set: Partial<Omit<QueueRow, 'id'>>): QueueRow {
  const cols = Object.keys(set) as (keyof typeof set)[]
  return db.query<QueueRow, Value[]>(`UPDATE report_queue SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ? RETURNING *`).get(...cols.map((c) => set[c] as Value), id)!
}

export type QueueFilter = { enabled?: boolean; subjectType?: string; collection?: string; reportTypes?: string[]; after?: { createdAt: string; id: number }; limit: number }

/** Queues that are not deleted, oldest first: the order routing tries them in. */
export function listQueues(db: Database, f: QueueFilter): QueueRow[] {
  const where = ['deleted_at IS NULL']
  const args: Value[] = []
  if (f.enabled !== undefined) (where.push('enabled = ?'), args.push(f.enabled ? 1 : 0))
  if (f.subjectType !== undefined) (where.push(`EXISTS (SELECT 1 FROM json_each(subject_types) WHERE value = ?)`), args.push(f.subjectType))
  if (f.collection !== undefined) (where.push('collection = ?'), args.push(f.collection))
  if (f.reportTypes?.length) {
    where.push(`EXISTS (SELECT 1 FROM json_each(report_types) WHERE value IN (${f.reportTypes.map(() => '?').join(', ')}))`)
    args.push(...f.reportTypes)
  }
  if (f.after) (where.push('(created_at > ? OR (created_at = ? AND id > ?))'), args.push(f.after.createdAt, f.after.createdAt, f.after.id))
  return db.query<QueueRow, Value[]>(`SELECT * FROM report_queue WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT +?`).all(...args, f.limit)
}

// ---- statistics

/** Which reports a statistic counts: all, one queue (-1: none), some report types, one moderator's. */
export type StatGroup = { queueId: number | null; moderatorDid: string | null; reportTypes: string[] | null }

export type StatCounts = { inbound: number; pending: number; actioned: number; escalated: number; handlingSum: number; handlingCount: number }

/**
 * Counts for one calendar day, as Ozone computes them: pending is every report not closed now; the
 * others are over the reports received that day (actioned: closed that day). For a moderator: the
 * reports received that day they hold a permanent assignment on, handling time from the assignment.
 */
export function statCounts(db: Database, g: StatGroup, dayStart: string, dayEnd: string): StatCounts {
  const where: string[] = []
  const args: Value[] = []
  if (g.queueId !== null) (where.push('r.queue_id = ?'), args.push(g.queueId))
  if (g.reportTypes?.length) (where.push(`r.report_type IN (${g.reportTypes.map(() => '?').join(', ')})`), args.push(...g.reportTypes))
  let from = 'report r'
  let start = 'r.created_at'
  if (g.moderatorDid) {
    from = 'report r JOIN moderator_assignment ma ON ma.report_id = r.id AND ma.end_at IS NULL'
    where.push('ma.did = ?')
    args.push(g.moderatorDid)
    start = 'ma.start_at'
  }
  const filter = where.length ? `AND ${where.join(' AND ')}` : ''
  const closedToday = `r.status = 'closed' AND r.closed_at >= ? AND r.closed_at < ?`
  const row = db
    .query<{ inbound: number; actioned: number; escalated: number; handlingSum: number }, Value[]>(
      `SELECT count(*) AS inbound,
         coalesce(sum(CASE WHEN ${closedToday} THEN 1 ELSE 0 END), 0) AS actioned,
         coalesce(sum(CASE WHEN r.status = 'escalated' THEN 1 ELSE 0 END), 0) AS escalated,
         coalesce(sum(CASE WHEN ${closedToday} THEN (julianday(r.closed_at) - julianday(${start})) * 86400 END), 0) AS handlingSum
       FROM ${from} WHERE r.created_at >= ? AND r.created_at < ? ${filter}`,
    )
    // The day's bounds, in the order the statement names them: the two CASEs, then the WHERE.
    .get(dayStart, dayEnd, dayStart, dayEnd, dayStart, dayEnd, ...args)!
  const pending = db.query<{ n: number }, Value[]>(`SELECT count(*) AS n FROM ${from} WHERE r.status != 'closed' ${filter}`).get(...args)!.n
  return {
    inbound: row.inbound,
    pending,
    actioned: row.actioned,
    escalated: row.escalated,
    handlingSum: row.handlingSum,
    handlingCount: row.actioned,
  }
}

export type StatRow = {
  id: number
  computed_at: string
  date: string
  queue_id: number | null
  report_types: string | null
  moderator_did: string | null
  inbound_count: number | null
  pending_count: number | null
  actioned_count: number | null
  escalated_count: number | null
  action_rate: number | null
  avg_handling_time_sec: number | null
}

const groupWhere = (g: StatGroup) => ({
  sql: `queue_id IS ? AND moderator_did IS ? AND report_types IS ?`,
  args: [g.queueId, g.moderatorDid, g.reportTypes ? JSON.stringify(g.reportTypes) : null] as Value[],
})

/** Replaces the snapshot of one group for one day. */
export function putStat(db: Database, row: Omit<StatRow, 'id'>): void {
  const g = groupWhere({ queueId: row.queue_id, moderatorDid: row.moderator_did, reportTypes: row.report_types ? JSON.parse(row.report_types) : null })
  db.query(`DELETE FROM report_stat WHERE date = ? AND ${g.sql}`).run(row.date, ...g.args)
  const cols = Object.keys(row) as (keyof typeof row)[]
  db.query(`INSERT INTO report_stat (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => row[c]))
}

export function getStat(db: Database, date: string, g: StatGroup): StatRow | null {
  const w = groupWhere(g)
  return db.query<StatRow, Value[]>(`SELECT * FROM report_stat WHERE date = ? AND ${w.sql}`).get(date, ...w.args)
}

/** A group's daily snapshots, newest day first. */
export function historicalStats(db: Database, g: StatGroup, q: { startDate?: string; endDate?: string; before?: { date: string; id: number }; limit: number }): StatRow[] {
  const w = groupWhere(g)
  const where = [w.sql]
  const args = [...w.args]
  if (q.startDate) (where.push('date >= ?'), args.push(q.startDate))
  if (q.endDate) (where.push('date <= ?'), args.push(q.endDate))
  if (q.before) (where.push('(date < ? OR (date = ? AND id < ?))'), args.push(q.before.date, q.before.date, q.before.id))
  return db.query<StatRow, Value[]>(`SELECT * FROM report_stat WHERE ${where.join(' AND ')} ORDER BY date DESC, id DESC LIMIT +?`).all(...args, q.limit)
}

/** The groups snapshots are kept for besides the aggregate: queues, and the members who review. */
export function statGroupMembers(db: Database): string[] {
  return db
    .query<{ did: string }, []>(
      `SELECT did FROM mod_member WHERE disabled = 0 AND role IN ('tools.ozone.team.defs#roleAdmin', 'tools.ozone.team.defs#roleModerator', 'tools.ozone.team.defs#roleTriage')`,
    )
    .all()
    .map((r) => r.did)
}
