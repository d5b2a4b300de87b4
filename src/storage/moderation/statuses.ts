// mod_subject_status: one row per moderated subject (account or record), updated by each event.
import type { Database } from 'bun:sqlite'

export type SubjectStatusRow = {
  id: number
  did: string
  record_path: string
  record_cid: string | null
  blob_cids: string
  review_state: string
  created_at: string
  updated_at: string
  last_reviewed_by: string | null
  last_reviewed_at: string | null
  last_reported_at: string | null
  last_appealed_at: string | null
  takendown: number
  suspend_until: string | null
  mute_until: string | null
  mute_reporting_until: string | null
  appealed: number | null
  comment: string | null
  tags: string
  priority_score: number | null
}

export type StatusKey = { did: string; recordPath: string }

export function getStatus(db: Database, key: StatusKey): SubjectStatusRow | null {
  return db.query<SubjectStatusRow, [string, string]>('SELECT * FROM mod_subject_status WHERE did = ? AND record_path = ?').get(key.did, key.recordPath)
}

export function getStatusById(db: Database, id: number): SubjectStatusRow | null {
  return db.query<SubjectStatusRow, [number]>('SELECT * FROM mod_subject_status WHERE id = ?').get(id)
}

/** Writes the whole row (insert or replace by subject); returns it as stored. */
export function putStatus(db: Database, row: Omit<SubjectStatusRow, 'id'>): SubjectStatusRow {
  const cols = Object.keys(row) as (keyof typeof row)[]
  const sql = `INSERT INTO mod_subject_status (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (did, record_path) DO UPDATE SET ${cols.filter((c) => c !== 'did' && c !== 'record_path').map((c) => `${c} = excluded.${c}`).join(', ')}
    RETURNING *`
  return db.query<SubjectStatusRow, any[]>(sql).get(...cols.map((c) => row[c]))!
}

export type StatusFilter = {
  reviewState?: string
  subjectDid?: string
  /** Exact record path under subjectDid; '' for the account itself; undefined with includeAllUserRecords. */
  recordPath?: string
  subjectType?: 'account' | 'record'
  takendown?: boolean
  appealed?: boolean
  includeMuted: boolean
  onlyMuted?: boolean
  now: string
  reviewedAfter?: string
  reviewedBefore?: string
  reportedAfter?: string
  reportedBefore?: string
  lastReviewedBy?: string
  comment?: string
  tags?: string[]
  excludeTags?: string[]
  minPriorityScore?: number
  sortField: 'lastReportedAt' | 'lastReviewedAt' | 'reportedRecordsCount' | 'takendownRecordsCount' | 'priorityScore'
  sortDirection: 'asc' | 'desc'
  cursor?: string
  limit: number
}

const SORT_COLUMNS: Record<string, string> = {
  lastReportedAt: 'last_reported_at',
  lastReviewedAt: 'last_reviewed_at',
  priorityScore: 'priority_score',
}

/** Pages by (sort column, id); the cursor is `value::id`. */
export function queryStatuses(db: Database, f: StatusFilter): SubjectStatusRow[] {
  const where: string[] = []
  const args: (string | number)[] = []
  const add = (sql: string, ...values: (string | number)[]) => {
    where.push(sql)
    args.push(...values)
  }
  if (f.reviewState) add('review_state = ?', f.reviewState)
  if (f.subjectDid) add('did = ?', f.subjectDid)
  if (f.recordPath !== undefined) add('record_path = ?', f.recordPath)
  if (f.subjectType === 'account') add("record_path = ''")
  if (f.subjectType === 'record') add("record_path != ''")
  if (f.takendown !== undefined) add('takendown = ?', f.takendown ? 1 : 0)
  if (f.appealed !== undefined) add(f.appealed ? 'appealed = 1' : '(appealed IS NULL OR appealed = 0)')
  if (f.onlyMuted) add('mute_until > ?', f.now)
  else if (!f.includeMuted) add('(mute_until IS NULL OR mute_until <= ?)', f.now)
  if (f.reviewedAfter) add('last_reviewed_at > ?', f.reviewedAfter)
  if (f.reviewedBefore) add('last_reviewed_at < ?', f.reviewedBefore)
  if (f.reportedAfter) add('last_reported_at > ?', f.reportedAfter)
  if (f.reportedBefore) add('last_reported_at < ?', f.reportedBefore)
  if (f.lastReviewedBy) add('last_reviewed_by = ?', f.lastReviewedBy)
  if (f.comment) add("instr(lower(coalesce(comment, '')), lower(?)) > 0", f.comment)
  if (f.minPriorityScore !== undefined) add('priority_score >= ?', f.minPriorityScore)
  if (f.tags?.length) add(`EXISTS (SELECT 1 FROM json_each(tags) WHERE value IN (${f.tags.map(() => '?').join(', ')}))`, ...f.tags)
  if (f.excludeTags?.length) add(`NOT EXISTS (SELECT 1 FROM json_each(tags) WHERE value IN (${f.excludeTags.map(() => '?').join(', ')}))`, ...f.excludeTags)
  const column = SORT_COLUMNS[f.sortField] ?? 'last_reported_at'
  // NULLs sort as the empty string so that the cursor comparison stays total.
  const key = `coalesce(${column === 'priority_score' ? `printf('%020d', ${column})` : column}, '')`
  const desc = f.sortDirection === 'desc'
  if (f.cursor) {
    const sep = f.cursor.lastIndexOf('::')
    const value = f.cursor.slice(0, sep)
    const id = Number(f.cursor.slice(sep + 2))
    add(`(${key} ${desc ? '<' : '>'} ? OR (${key} = ? AND id ${desc ? '<' : '>'} ?))`, value, value, id)
  }
  const sql = `SELECT *, ${key} AS sort_key FROM mod_subject_status ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${key} ${desc ? 'DESC' : 'ASC'}, id ${desc ? 'DESC' : 'ASC'} LIMIT ?`
  return db.query<SubjectStatusRow & { sort_key: string }, any[]>(sql).all(...args, f.limit)
}

/** Subjects whose timed takedown has run out. */
export function expiredSuspensions(db: Database, now: string): SubjectStatusRow[] {
  return db.query<SubjectStatusRow, [string]>('SELECT * FROM mod_subject_status WHERE takendown = 1 AND suspend_until IS NOT NULL AND suspend_until <= ?').all(now)
}

export function statusesOfRepo(db: Database, did: string): SubjectStatusRow[] {
  return db.query<SubjectStatusRow, [string]>('SELECT * FROM mod_subject_status WHERE did = ?').all(did)
}
