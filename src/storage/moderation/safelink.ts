// The safelink_rule and safelink_event tables (tools.ozone.safelink).
import type { Database } from 'bun:sqlite'

export type SafelinkRuleRow = {
  id: number
  url: string
  pattern: string
  action: string
  reason: string
  created_by: string
  comment: string | null
  created_at: string
  updated_at: string
}
export type SafelinkEventRow = Omit<SafelinkRuleRow, 'updated_at'> & { event_type: string }

export const getRule = (db: Database, url: string, pattern: string) =>
  db.query<SafelinkRuleRow, [string, string]>('SELECT * FROM safelink_rule WHERE url = ? AND pattern = ?').get(url, pattern)

export function putRule(db: Database, r: Omit<SafelinkRuleRow, 'id'>): void {
  db.query(
    `INSERT INTO safelink_rule (url, pattern, action, reason, created_by, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (url, pattern) DO UPDATE SET action = excluded.action, reason = excluded.reason, created_by = excluded.created_by, comment = excluded.comment, updated_at = excluded.updated_at`,
  ).run(r.url, r.pattern, r.action, r.reason, r.created_by, r.comment, r.created_at, r.updated_at)
}

export const deleteRule = (db: Database, url: string, pattern: string) => db.query('DELETE FROM safelink_rule WHERE url = ? AND pattern = ?').run(url, pattern)

export function insertEvent(db: Database, e: Omit<SafelinkEventRow, 'id'>): SafelinkEventRow {
  return db
    .query<SafelinkEventRow, any[]>('INSERT INTO safelink_event (event_type, url, pattern, action, reason, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *')
    .get(e.event_type, e.url, e.pattern, e.action, e.reason, e.created_by, e.comment, e.created_at)!
}

export type PageQuery = { urls?: string[]; pattern?: string; cursor?: number; limit: number; direction: 'asc' | 'desc' }

function where(q: PageQuery & { actions?: string[]; reason?: string; createdBy?: string }): { sql: string; args: Array<string | number> } {
  const parts: string[] = []
  const args: Array<string | number> = []
  const anyOf = (column: string, values?: string[]) => {
    if (!values?.length) return
    parts.push(`${column} IN (${values.map(() => '?').join(', ')})`)
    args.push(...values)
  }
  anyOf('url', q.urls)
  anyOf('action', q.actions)
  for (const [column, value] of [['pattern', q.pattern], ['reason', q.reason], ['created_by', q.createdBy]] as const) {
    if (value === undefined) continue
    parts.push(`${column} = ?`)
    args.push(value)
  }
  if (q.cursor !== undefined) {
    parts.push(`id ${q.direction === 'asc' ? '>' : '<'} ?`)
    args.push(q.cursor)
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args }
}

export function listRules(db: Database, q: PageQuery & { actions?: string[]; reason?: string; createdBy?: string }): SafelinkRuleRow[] {
  const w = where(q)
  return db.query<SafelinkRuleRow, any[]>(`SELECT * FROM safelink_rule ${w.sql} ORDER BY id ${q.direction === 'asc' ? 'ASC' : 'DESC'} LIMIT +?`).all(...w.args, q.limit)
}

export function listEvents(db: Database, q: PageQuery): SafelinkEventRow[] {
  const w = where(q)
  return db.query<SafelinkEventRow, any[]>(`SELECT * FROM safelink_event ${w.sql} ORDER BY id ${q.direction === 'asc' ? 'ASC' : 'DESC'} LIMIT +?`).all(...w.args, q.limit)
}
