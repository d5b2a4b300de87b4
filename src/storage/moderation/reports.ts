// The report, report_activity and moderator_assignment tables (tools.ozone.report.*): reports as rows
// beside their #modEventReport event, what happened to each, and who is assigned to what.
import type { Database } from 'bun:sqlite'

export type ReportRow = {
  id: number
  event_id: number
  queue_id: number | null
  queued_at: string | null
  action_event_ids: string | null
  action_note: string | null
  is_muted: number
  is_automated: number
  status: string
  report_type: string
  did: string
  record_path: string
  created_at: string
  updated_at: string
  assigned_to: string | null
  assigned_at: string | null
  closed_at: string | null
}

/** A report with what its event says: the subject, the reporter and their comment. */
export type ReportWithEvent = ReportRow & { subject_uri: string | null; subject_cid: string | null; reported_by: string; event: string }

const WITH_EVENT = `SELECT r.*, e.subject_uri, e.subject_cid, e.created_by AS reported_by, e.event FROM report r JOIN mod_event e ON e.id = r.event_id`

export function insertReport(db: Database, r: Omit<ReportRow, 'id'>): ReportRow | null {
  const cols = Object.keys(r) as (keyof typeof r)[]
  return db
    .query<ReportRow, any[]>(`INSERT INTO report (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT (event_id) DO NOTHING RETURNING *`)
    .get(...cols.map((c) => r[c]))
}

export const getReport = (db: Database, id: number) => db.query<ReportRow, [number]>('SELECT * FROM report WHERE id = ?').get(id)
export const reportForEvent = (db: Database, eventId: number) => db.query<ReportRow, [number]>('SELECT * FROM report WHERE event_id = ?').get(eventId)
export const getReportWithEvent = (db: Database, id: number) => db.query<ReportWithEvent, [number]>(`${WITH_EVENT} WHERE r.id = ?`).get(id)
export const latestReport = (db: Database) => db.query<ReportWithEvent, []>(`${WITH_EVENT} ORDER BY r.id DESC LIMIT 1`).get()

export function reportsByIds(db: Database, ids: number[]): ReportWithEvent[] {
  if (!ids.length) return []
  return db.query<ReportWithEvent, number[]>(`${WITH_EVENT} WHERE r.id IN (${ids.map(() => '?').join(', ')})`).all(...ids)
}

type Value = string | number | null

/** Sets some columns of one report. */
export function updateReport(db: Database, id: number, set: Partial<Omit<ReportRow, 'id'>>): void {
  const cols = Object.keys(set) as (keyof typeof set)[]
  if (!cols.length) return
  db.query(`UPDATE report SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => set[c] as Value), id)
}

export type ReportFilter = {
  status: string
  queueId?: number
  /** With recordPath: one subject ('' the account itself). */
  did?: string
  recordPath?: string
  subjectType?: 'account' | 'record'
  collections?: string[]
  reportTypes?: string[]
  isMuted?: boolean
  reportedAfter?: string
  reportedBefore?: string
  assignedTo?: string
  sortField: 'createdAt' | 'updatedAt'
  sortDirection: 'asc' | 'desc'
  cursor?: { value: string; id: number }
  limit: number
}

export function queryReports(db: Database, f: ReportFilter): ReportWithEvent[] {
  const where: string[] = ['r.status = ?']
  const args: Value[] = [f.status]
  const eq = (col: string, v: Value | undefined) => v !== undefined && (where.push(`${col} = ?`), args.push(v))
  eq('r.queue_id', f.queueId)
  eq('r.did', f.did)
  eq('r.record_path', f.recordPath)
  eq('r.assigned_to', f.assignedTo)
  if (f.subjectType === 'account') where.push(`r.record_path = ''`)
  if (f.subjectType === 'record') where.push(`r.record_path != ''`)
  if (f.collections?.length) {
    where.push(`(${f.collections.map(() => 'substr(r.record_path, 1, ?) = ?').join(' OR ')})`)
    for (const c of f.collections) args.push(c.length + 1, `${c}/`)
  }
  if (f.reportTypes?.length) (where.push(`r.report_type IN (${f.reportTypes.map(() => '?').join(', ')})`), args.push(...f.reportTypes))
  if (f.isMuted !== undefined) eq('r.is_muted', f.isMuted ? 1 : 0)
  if (f.reportedAfter) (where.push('r.created_at > ?'), args.push(f.reportedAfter))
  if (f.reportedBefore) (where.push('r.created_at < ?'), args.push(f.reportedBefore))
  const col = f.sortField === 'updatedAt' ? 'r.updated_at' : 'r.created_at'
  const dir = f.sortDirection === 'asc' ? 'ASC' : 'DESC'
  if (f.cursor) {
    const op = f.sortDirection === 'asc' ? '>' : '<'
    where.push(`(${col} ${op} ? OR (${col} = ? AND r.id ${op} ?))`)
    args.push(f.cursor.value, f.cursor.value, f.cursor.id)
  }
  return db.query<ReportWithEvent, Value[]>(`${WITH_EVENT} WHERE ${where.join(' AND ')} ORDER BY ${col} ${dir}, r.id ${dir} LIMIT +?`).all(...args, f.limit)
}

/** The reports on one subject that are not closed, optionally only some ids or report types. */
export function openReportsOnSubject(db: Database, q: { did: string; recordPath: string; ids?: number[]; reportTypes?: string[] }): ReportRow[] {
  const where = [`did = ?`, `record_path = ?`, `status != 'closed'`]
  const args: Value[] = [q.did, q.recordPath]
  if (q.ids?.length) (where.push(`id IN (${q.ids.map(() => '?').join(', ')})`), args.push(...q.ids))
  if (q.reportTypes?.length) (where.push(`report_type IN (${q.reportTypes.map(() => '?').join(', ')})`), args.push(...q.reportTypes))
  return db.query<ReportRow, Value[]>(`SELECT * FROM report WHERE ${where.join(' AND ')} ORDER BY id`).all(...args)
}

/** Open reports with ids in a range, for re-routing (not closed; unrouted or without a queue). */
export function unroutedReports(db: Database, start: number, end: number): Array<ReportRow & { mod_tool: string | null }> {
  return db
    .query<ReportRow & { mod_tool: string | null }, [number, number]>(
      `SELECT r.*, e.mod_tool FROM report r JOIN mod_event e ON e.id = r.event_id
       WHERE r.status != 'closed' AND r.id >= ? AND r.id <= ? AND (r.queue_id IS NULL OR r.queue_id = -1) ORDER BY r.id`,
    )
    .all(start, end)
}

/** Moves the queue's reports that are not closed to another queue (or none: -1). */
export function migrateQueueReports(db: Database, from: number, to: number, now: string): number {
  return db.query(`UPDATE report SET queue_id = ?, queued_at = ?, updated_at = ? WHERE queue_id = ? AND status != 'closed'`).run(to, to === -1 ? null : now, now, from).changes
}

/** Report counts of the other reports on the same subject that are not closed. */
export function pendingOnSubject(db: Database, did: string, recordPath: string): number {
  return db.query<{ n: number }, [string, string]>(`SELECT count(*) AS n FROM report WHERE did = ? AND record_path = ? AND status != 'closed'`).get(did, recordPath)!.n
}

// ---- activities

export type ActivityRow = {
  id: number
  report_id: number
  activity_type: string
  previous_status: string | null
  internal_note: string | null
  public_note: string | null
  meta: string | null
  is_automated: number
  created_by: string
  created_at: string
}

export function insertActivity(db: Database, a: Omit<ActivityRow, 'id'>): ActivityRow {
  return db
    .query<ActivityRow, Value[]>(
      `INSERT INTO report_activity (report_id, activity_type, previous_status, internal_note, public_note, meta, is_automated, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(a.report_id, a.activity_type, a.previous_status, a.internal_note, a.public_note, a.meta, a.is_automated, a.created_by, a.created_at)!
}

export function listActivities(db: Database, reportId: number, beforeId: number | undefined, limit: number): ActivityRow[] {
  return db
    .query<ActivityRow, Value[]>(`SELECT * FROM report_activity WHERE report_id = ? ${beforeId === undefined ? '' : 'AND id < ?'} ORDER BY created_at DESC, id DESC LIMIT +?`)
    .all(...(beforeId === undefined ? [reportId, limit] : [reportId, beforeId, limit]))
}

export type ActivityQuery = { types?: string[]; createdAfter?: string; createdBefore?: string; sortDirection: 'asc' | 'desc'; cursor?: { createdAt: string; id: number }; limit: number }

export function queryActivities(db: Database, q: ActivityQuery): ActivityRow[] {
  const where: string[] = []
  const args: Value[] = []
  if (q.types?.length) (where.push(`activity_type IN (${q.types.map(() => '?').join(', ')})`), args.push(...q.types))
  if (q.createdAfter) (where.push('created_at >= ?'), args.push(q.createdAfter))
  if (q.createdBefore) (where.push('created_at <= ?'), args.push(q.createdBefore))
  const dir = q.sortDirection === 'asc' ? 'ASC' : 'DESC'
  if (q.cursor) {
    const op = q.sortDirection === 'asc' ? '>' : '<'
    where.push(`(created_at ${op} ? OR (created_at = ? AND id ${op} ?))`)
    args.push(q.cursor.createdAt, q.cursor.createdAt, q.cursor.id)
  }
  const sql = `SELECT * FROM report_activity ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at ${dir}, id ${dir} LIMIT +?`
  return db.query<ActivityRow, Value[]>(sql).all(...args, q.limit)
}

// ---- assignments

export type AssignmentRow = { id: number; did: string; report_id: number | null; queue_id: number | null; start_at: string; end_at: string | null }

export const getAssignment = (db: Database, id: number) => db.query<AssignmentRow, [number]>('SELECT * FROM moderator_assignment WHERE id = ?').get(id)

export function insertAssignment(db: Database, a: Omit<AssignmentRow, 'id'>): AssignmentRow {
  return db
    .query<AssignmentRow, Value[]>('INSERT INTO moderator_assignment (did, report_id, queue_id, start_at, end_at) VALUES (?, ?, ?, ?, ?) RETURNING *')
    .get(a.did, a.report_id, a.queue_id, a.start_at, a.end_at)!
}

export function updateAssignment(db: Database, id: number, set: Partial<Omit<AssignmentRow, 'id'>>): AssignmentRow {
  const cols = Object.keys(set) as (keyof typeof set)[]
  return db.query<AssignmentRow, Value[]>(`UPDATE moderator_assignment SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ? RETURNING *`).get(...cols.map((c) => set[c] as Value), id)!
}

/** The active (permanent, or not yet ended) assignment of a report, or of a moderator on a queue. */
export function activeAssignment(db: Database, q: { reportId: number } | { queueId: number; did: string }, now: string, opts: { permanentOnly?: boolean } = {}): AssignmentRow | null {
  const active = opts.permanentOnly ? 'end_at IS NULL' : '(end_at IS NULL OR end_at > ?)'
  const args: Value[] = opts.permanentOnly ? [] : [now]
  if ('reportId' in q) return db.query<AssignmentRow, Value[]>(`SELECT * FROM moderator_assignment WHERE report_id = ? AND ${active} ORDER BY id DESC LIMIT 1`).get(q.reportId, ...args)
  return db.query<AssignmentRow, Value[]>(`SELECT * FROM moderator_assignment WHERE report_id IS NULL AND queue_id = ? AND did = ? AND ${active} ORDER BY id DESC LIMIT 1`).get(q.queueId, q.did, ...args)
}

export type AssignmentQuery = { kind: 'queue' | 'report'; onlyActive: boolean; now: string; queueIds?: number[]; reportIds?: number[]; dids?: string[]; beforeId?: number; limit: number }

/** Newest first (by id). */
export function queryAssignments(db: Database, q: AssignmentQuery): AssignmentRow[] {
  const where = [q.kind === 'queue' ? 'report_id IS NULL AND queue_id IS NOT NULL' : 'report_id IS NOT NULL']
  const args: Value[] = []
  if (q.onlyActive) (where.push('(end_at IS NULL OR end_at > ?)'), args.push(q.now))
  const anyOf = (col: string, values?: Value[]) => values?.length && (where.push(`${col} IN (${values.map(() => '?').join(', ')})`), args.push(...values))
  anyOf('queue_id', q.queueIds)
  anyOf('report_id', q.reportIds)
  anyOf('did', q.dids)
  if (q.beforeId !== undefined) (where.push('id < ?'), args.push(q.beforeId))
  return db.query<AssignmentRow, Value[]>(`SELECT * FROM moderator_assignment WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT +?`).all(...args, q.limit)
}
