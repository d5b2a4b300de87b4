// mod_event: the moderation service's append-only event log (reports are events too).
import type { Database } from 'bun:sqlite'

export type ModEventRow = {
  id: number
  type: string
  subject_did: string
  subject_uri: string | null
  subject_cid: string | null
  subject_blob_cids: string
  event: string
  created_by: string
  created_at: string
  mod_tool: string | null
}

export type NewModEvent = Omit<ModEventRow, 'id'>

export function insertEvent(db: Database, e: NewModEvent): ModEventRow {
  return db
    .query<ModEventRow, any[]>(
      `INSERT INTO mod_event (type, subject_did, subject_uri, subject_cid, subject_blob_cids, event, created_by, created_at, mod_tool)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(e.type, e.subject_did, e.subject_uri, e.subject_cid, e.subject_blob_cids, e.event, e.created_by, e.created_at, e.mod_tool)!
}

export function getEvent(db: Database, id: number): ModEventRow | null {
  return db.query<ModEventRow, [number]>('SELECT * FROM mod_event WHERE id = ?').get(id)
}

export type EventFilter = {
  types?: string[]
  createdBy?: string
  subjectDid?: string
  /** Exact record URI; with includeAllUserRecords, every subject of subjectDid. */
  subjectUri?: string | null
  includeAllUserRecords?: boolean
  subjectType?: 'account' | 'record'
  createdAfter?: string
  createdBefore?: string
  sortDirection: 'asc' | 'desc'
  cursor?: number
  limit: number
  /** Substring of the event's comment. */
  comment?: string
  hasComment?: boolean
  addedLabels?: string[]
  removedLabels?: string[]
  addedTags?: string[]
  removedTags?: string[]
  reportTypes?: string[]
}

export function queryEvents(db: Database, f: EventFilter): ModEventRow[] {
  const where: string[] = []
  const args: (string | number)[] = []
  const any = (column: string, values: string[]) => {
    where.push(`${column} IN (${values.map(() => '?').join(', ')})`)
    args.push(...values)
  }
  if (f.types?.length) any('type', f.types)
  if (f.createdBy) (where.push('created_by = ?'), args.push(f.createdBy))
  if (f.subjectDid) {
    where.push('subject_did = ?')
    args.push(f.subjectDid)
    if (!f.includeAllUserRecords) {
      if (f.subjectUri) (where.push('subject_uri = ?'), args.push(f.subjectUri))
      else where.push('subject_uri IS NULL')
    }
  }
  if (f.subjectType === 'account') where.push('subject_uri IS NULL')
  if (f.subjectType === 'record') where.push('subject_uri IS NOT NULL')
  if (f.createdAfter) (where.push('created_at > ?'), args.push(f.createdAfter))
  if (f.createdBefore) (where.push('created_at < ?'), args.push(f.createdBefore))
  if (f.comment) (where.push("instr(lower(coalesce(json_extract(event, '$.comment'), '')), lower(?)) > 0"), args.push(f.comment))
  if (f.hasComment) where.push("coalesce(json_extract(event, '$.comment'), '') != ''")
  const jsonAny = (path: string, values: string[] | undefined) => {
    if (!values?.length) return
    where.push(`EXISTS (SELECT 1 FROM json_each(event, '${path}') WHERE value IN (${values.map(() => '?').join(', ')}))`)
    args.push(...values)
  }
  jsonAny('$.createLabelVals', f.addedLabels)
  jsonAny('$.negateLabelVals', f.removedLabels)
  jsonAny('$.add', f.addedTags)
  jsonAny('$.remove', f.removedTags)
  if (f.reportTypes?.length) {
    where.push(`json_extract(event, '$.reportType') IN (${f.reportTypes.map(() => '?').join(', ')})`)
    args.push(...f.reportTypes)
  }
  if (f.cursor !== undefined) (where.push(f.sortDirection === 'asc' ? 'id > ?' : 'id < ?'), args.push(f.cursor))
  const sql = `SELECT * FROM mod_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${f.sortDirection === 'asc' ? 'ASC' : 'DESC'} LIMIT ?`
  return db.query<ModEventRow, any[]>(sql).all(...args, f.limit)
}

/** Counts for getReporterStats: what one account reported, and what happened to it. */
export function reporterCounts(db: Database, did: string) {
  const q = (sql: string) => db.query<{ n: number }, [string]>(sql).get(did)!.n
  const reports = `FROM mod_event WHERE type = 'tools.ozone.moderation.defs#modEventReport' AND created_by = ?`
  const reportedSubjects = `SELECT DISTINCT subject_did, subject_uri ${reports}`
  const actioned = (type: string, records: boolean) =>
    `SELECT count(*) AS n FROM (${reportedSubjects}) r WHERE r.subject_uri IS ${records ? 'NOT ' : ''}NULL AND EXISTS (SELECT 1 FROM mod_event e WHERE e.type = '${type}' AND e.subject_did = r.subject_did AND e.subject_uri IS r.subject_uri)`
  return {
    accountReportCount: q(`SELECT count(*) AS n ${reports} AND subject_uri IS NULL`),
    recordReportCount: q(`SELECT count(*) AS n ${reports} AND subject_uri IS NOT NULL`),
    reportedAccountCount: q(`SELECT count(DISTINCT subject_did) AS n ${reports} AND subject_uri IS NULL`),
    reportedRecordCount: q(`SELECT count(DISTINCT subject_uri) AS n ${reports} AND subject_uri IS NOT NULL`),
    takendownAccountCount: q(actioned('tools.ozone.moderation.defs#modEventTakedown', false)),
    takendownRecordCount: q(actioned('tools.ozone.moderation.defs#modEventTakedown', true)),
    labeledAccountCount: q(actioned('tools.ozone.moderation.defs#modEventLabel', false)),
    labeledRecordCount: q(actioned('tools.ozone.moderation.defs#modEventLabel', true)),
  }
}

/** Events per day and type for one account (getAccountTimeline). */
export function timeline(db: Database, did: string): Array<{ day: string; type: string; count: number }> {
  return db
    .query<{ day: string; type: string; count: number }, [string]>(
      `SELECT substr(created_at, 1, 10) AS day, type, count(*) AS count FROM mod_event WHERE subject_did = ?
       GROUP BY day, type ORDER BY day DESC, type`,
    )
    .all(did)
}
