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
  /** A caller's own ID for the event (emitEvent's externalId): unique per subject account and type. */
  external_id: string | null
  /** Strikes the event assigned (negative: taken back); null when it assigned none. */
  strike_count: number | null
  strike_expires_at: string | null
}

export type NewModEvent = Omit<ModEventRow, 'id' | 'external_id' | 'strike_count' | 'strike_expires_at'> &
  Partial<Pick<ModEventRow, 'external_id' | 'strike_count' | 'strike_expires_at'>>

export function insertEvent(db: Database, e: NewModEvent): ModEventRow {
  return db
    .query<ModEventRow, any[]>(
      `INSERT INTO mod_event (type, subject_did, subject_uri, subject_cid, subject_blob_cids, event, created_by, created_at, mod_tool, external_id, strike_count, strike_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      e.type, e.subject_did, e.subject_uri, e.subject_cid, e.subject_blob_cids, e.event, e.created_by, e.created_at, e.mod_tool,
      e.external_id ?? null, e.strike_count ?? null, e.strike_expires_at ?? null,
    )!
}

/** Whether the subject's account already has an event of this type with this external ID. */
export function hasExternalId(db: Database, q: { subjectDid: string; type: string; externalId: string }): boolean {
  return !!db.query('SELECT 1 FROM mod_event WHERE subject_did = ? AND type = ? AND external_id = ? LIMIT 1').get(q.subjectDid, q.type, q.externalId)
}

/** ageAssurancePurgeEvent: forgets what the user's age assurance flows reported. */
export function deleteEventsOfType(db: Database, subjectDid: string, type: string): number {
  return db.query('DELETE FROM mod_event WHERE subject_did = ? AND type = ?').run(subjectDid, type).changes
}

export type StrikeSummary = { activeStrikeCount: number; totalStrikeCount: number; firstStrikeAt: string; lastStrikeAt: string }

/** An account's strikes (Ozone's account_strike): active ones have not expired; null when it has none. */
export function strikesOf(db: Database, did: string, now: string): StrikeSummary | null {
  const row = db
    .query<{ n: number; active: number | null; total: number | null; first: string | null; last: string | null }, [string, string]>(
      `SELECT count(*) AS n, sum(CASE WHEN strike_expires_at IS NULL OR strike_expires_at > ? THEN strike_count ELSE 0 END) AS active,
         sum(strike_count) AS total, min(created_at) AS first, max(created_at) AS last
       FROM mod_event WHERE subject_did = ? AND strike_count IS NOT NULL AND strike_count != 0`,
    )
    .get(now, did)!
  if (!row.n) return null
  return { activeStrikeCount: row.active ?? 0, totalStrikeCount: row.total ?? 0, firstStrikeAt: row.first!, lastStrikeAt: row.last! }
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
  subjectType?: string
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
  /** Record subjects in these collections (ignored with subjectType 'account'). */
  collections?: string[]
  /** Events whose policies contain any of these (case-insensitive substrings, as Ozone's ilike). */
  policies?: string[]
  /** modTool.name is one of these. */
  modTool?: string[]
  /** modTool.meta.batchId */
  batchId?: string
  /** Age assurance (and override) events that set this state. */
  ageAssuranceState?: string
  /** Only events that assigned strikes. */
  withStrike?: boolean
}

const AGE_ASSURANCE_TYPES = ['tools.ozone.moderation.defs#ageAssuranceEvent', 'tools.ozone.moderation.defs#ageAssuranceOverrideEvent']

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
  // subjectType counts only without a subject; there are no conversation subjects here.
  if (!f.subjectDid && f.subjectType === 'account') where.push('subject_uri IS NULL')
  if (!f.subjectDid && f.subjectType === 'record') where.push('subject_uri IS NOT NULL')
  if (!f.subjectDid && f.subjectType === 'conversation') where.push('0')
  if (f.createdAfter) (where.push('created_at > ?'), args.push(f.createdAfter))
  if (f.createdBefore) (where.push('created_at < ?'), args.push(f.createdBefore))
  if (f.collections?.length && f.subjectType !== 'account') {
    where.push(`subject_uri IS NOT NULL AND (${f.collections.map(() => 'subject_uri LIKE ?').join(' OR ')})`)
    args.push(...f.collections.map((c) => `at://%/${c}/%`))
  }
  // Several keywords separated by || match any of them.
  const keywords = (f.comment ?? '').split('||').filter((k) => k.trim())
  if (keywords.length) {
    where.push(`(${keywords.map(() => "instr(lower(coalesce(json_extract(event, '$.comment'), '')), lower(?)) > 0").join(' OR ')})`)
    args.push(...keywords)
  }
  if (f.hasComment) where.push("coalesce(json_extract(event, '$.comment'), '') != ''")
  // Every one of the values is in the event's list (as the lexicon says: "all of these").
  const jsonAll = (path: string, values: string[] | undefined) => {
    for (const value of values ?? []) {
      where.push(`EXISTS (SELECT 1 FROM json_each(event, '${path}') WHERE value = ?)`)
      args.push(value)
    }
  }
  jsonAll('$.createLabelVals', f.addedLabels)
  jsonAll('$.negateLabelVals', f.removedLabels)
  jsonAll('$.add', f.addedTags)
  jsonAll('$.remove', f.removedTags)
  if (f.policies?.length) {
    where.push(`EXISTS (SELECT 1 FROM json_each(event, '$.policies') WHERE ${f.policies.map(() => 'instr(lower(value), lower(?)) > 0').join(' OR ')})`)
    args.push(...f.policies)
  }
  if (f.modTool?.length) {
    where.push(`json_extract(mod_tool, '$.name') IN (${f.modTool.map(() => '?').join(', ')})`)
    args.push(...f.modTool)
  }
  if (f.batchId) (where.push("json_extract(mod_tool, '$.meta.batchId') = ?"), args.push(f.batchId))
  if (f.ageAssuranceState) {
    where.push(`type IN (${AGE_ASSURANCE_TYPES.map(() => '?').join(', ')}) AND json_extract(event, '$.status') = ?`)
    args.push(...AGE_ASSURANCE_TYPES, f.ageAssuranceState)
  }
  if (f.withStrike) where.push('strike_count IS NOT NULL')
  if (f.reportTypes?.length) {
    where.push(`json_extract(event, '$.reportType') IN (${f.reportTypes.map(() => '?').join(', ')})`)
    args.push(...f.reportTypes)
  }
  if (f.cursor !== undefined) (where.push(f.sortDirection === 'asc' ? 'id > ?' : 'id < ?'), args.push(f.cursor))
  const sql = `SELECT * FROM mod_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${f.sortDirection === 'asc' ? 'ASC' : 'DESC'} LIMIT +?`
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
