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
  /** pending, assured, unknown, reset, blocked */
  age_assurance_state: string
  /** 'user' (the user's flow) or 'admin' (an override); null after a purge. */
  age_assurance_updated_by: string | null
  /** Where the subject's host says it stands (from account, identity and record events). */
  hosting_status: string | null
  hosting_updated_at: string | null
  hosting_deleted_at: string | null
  hosting_deactivated_at: string | null
  hosting_reactivated_at: string | null
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
  /** Split the queue among queueCount moderators: only the share of queueIndex (by subject account). */
  queueCount?: number
  queueIndex?: number
  queueSeed?: string
  /** DIDs (every subject of the account) and record URIs left out. */
  ignoreSubjects?: string[]
  collections?: string[]
  hostingStatuses?: string[]
  hostingDeletedAfter?: string
  hostingDeletedBefore?: string
  hostingUpdatedAfter?: string
  hostingUpdatedBefore?: string
  minAccountSuspendCount?: number
  minReportedRecordsCount?: number
  minTakendownRecordsCount?: number
  minStrikeCount?: number
  ageAssuranceState?: string
  subjectDid?: string
  /** Exact record path under subjectDid; '' for the account itself; undefined with includeAllUserRecords. */
  recordPath?: string
  subjectType?: string
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

const REPORT = 'tools.ozone.moderation.defs#modEventReport'
const TAKEDOWN = 'tools.ozone.moderation.defs#modEventTakedown'
const ESCALATE = 'tools.ozone.moderation.defs#modEventEscalate'
/** Appeals are reports of these types (Ozone counts them apart from other reports). */
export const APPEAL_TYPES = ['com.atproto.moderation.defs#reasonAppeal', 'tools.ozone.report.defs#reasonAppeal']
const APPEALS = APPEAL_TYPES.map((t) => `'${t}'`).join(', ')
const REPORT_TYPE = "json_extract(e.event, '$.reportType')"

/** Per-account figures over `s` (a mod_subject_status row), for the filters and sorts that use them. */
const STAT_SQL = {
  suspendCount: `(SELECT count(*) FROM mod_event e WHERE e.subject_did = s.did AND e.subject_uri IS NULL AND e.type = '${TAKEDOWN}'
    AND coalesce(json_extract(e.event, '$.durationInHours'), 0) > 0)`,
  reportedRecordsCount: `(SELECT count(DISTINCT e.subject_uri) FROM mod_event e WHERE e.subject_did = s.did AND e.subject_uri IS NOT NULL
    AND e.type = '${REPORT}' AND coalesce(${REPORT_TYPE}, '') NOT IN (${APPEALS}))`,
  takendownRecordsCount: `(SELECT count(*) FROM mod_subject_status r WHERE r.did = s.did AND r.record_path != '' AND r.takendown = 1)`,
  activeStrikeCount: (now: string) => `(SELECT coalesce(sum(e.strike_count), 0) FROM mod_event e WHERE e.subject_did = s.did AND e.strike_count IS NOT NULL
    AND (e.strike_expires_at IS NULL OR e.strike_expires_at > '${now.replace(/'/g, '')}'))`,
}

/**
 * A deterministic share of the queue for a subject's account: a polynomial hash of the DID's last 48
 * characters with weights drawn from the seed (SQLite has no hash function to call).
 */
function queueShareSql(seed: string, count: number): string {
  let h = 2166136261
  for (const ch of `queue:${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0
  const terms: string[] = []
  for (let i = 1; i <= 48; i++) {
    h = Math.imul(h ^ i, 16777619) >>> 0
    terms.push(`unicode(substr(s.did, -${i}, 1) || ' ') * ${h >>> 12}`)
  }
  return `((${terms.join(' + ')}) % ${Math.floor(count)})`
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
  // subjectType counts only without a subject; there are no conversation subjects here.
  if (!f.subjectDid && f.subjectType === 'account') add("record_path = ''")
  if (!f.subjectDid && f.subjectType === 'record') add("record_path != ''")
  if (!f.subjectDid && f.subjectType === 'conversation') add('0')
  if (f.collections?.length && f.subjectType !== 'account') {
    add(`record_path != '' AND (${f.collections.map(() => 'substr(record_path, 1, ?) = ?').join(' OR ')})`, ...f.collections.flatMap((c) => [c.length + 1, `${c}/`]))
  }
  if (!f.subjectDid && f.queueCount && f.queueCount > 0 && f.queueIndex !== undefined && f.queueIndex >= 0 && f.queueIndex < f.queueCount) {
    add(`${queueShareSql(f.queueSeed ?? '', f.queueCount)} = ?`, f.queueIndex)
  }
  const ignoredDids = (f.ignoreSubjects ?? []).filter((x) => !x.startsWith('at://'))
  const ignoredUris = (f.ignoreSubjects ?? []).filter((x) => x.startsWith('at://'))
  if (ignoredDids.length) add(`did NOT IN (${ignoredDids.map(() => '?').join(', ')})`, ...ignoredDids)
  if (ignoredUris.length) add(`('at://' || did || '/' || record_path) NOT IN (${ignoredUris.map(() => '?').join(', ')})`, ...ignoredUris)
  if (f.hostingStatuses?.length) add(`coalesce(hosting_status, 'unknown') IN (${f.hostingStatuses.map(() => '?').join(', ')})`, ...f.hostingStatuses)
  if (f.hostingUpdatedAfter) add('hosting_updated_at > ?', f.hostingUpdatedAfter)
  if (f.hostingUpdatedBefore) add('hosting_updated_at < ?', f.hostingUpdatedBefore)
  if (f.hostingDeletedAfter) add('hosting_deleted_at > ?', f.hostingDeletedAfter)
  if (f.hostingDeletedBefore) add('hosting_deleted_at < ?', f.hostingDeletedBefore)
  if (f.ageAssuranceState) add('age_assurance_state = ?', f.ageAssuranceState)
  if (f.minAccountSuspendCount && f.minAccountSuspendCount > 0) add(`${STAT_SQL.suspendCount} >= ?`, f.minAccountSuspendCount)
  if (f.minReportedRecordsCount && f.minReportedRecordsCount > 0) add(`${STAT_SQL.reportedRecordsCount} >= ?`, f.minReportedRecordsCount)
  if (f.minTakendownRecordsCount && f.minTakendownRecordsCount > 0) add(`${STAT_SQL.takendownRecordsCount} >= ?`, f.minTakendownRecordsCount)
  if (f.minStrikeCount !== undefined && f.minStrikeCount >= 0) add(`${STAT_SQL.activeStrikeCount(f.now)} >= ?`, f.minStrikeCount)
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
  // ["a", "b && c"]: a, or both b and c.
  const tagGroups = (f.tags ?? []).map((t) => t.split('&&').map((x) => x.trim()).filter(Boolean)).filter((g) => g.length)
  if (tagGroups.length) {
    const has = 'EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)'
    add(`(${tagGroups.map((g) => `(${g.map(() => has).join(' AND ')})`).join(' OR ')})`, ...tagGroups.flat())
  }
  if (f.excludeTags?.length) add(`NOT EXISTS (SELECT 1 FROM json_each(tags) WHERE value IN (${f.excludeTags.map(() => '?').join(', ')}))`, ...f.excludeTags)
  const stat = f.sortField === 'reportedRecordsCount' || f.sortField === 'takendownRecordsCount' ? STAT_SQL[f.sortField] : null
  const column = SORT_COLUMNS[f.sortField] ?? 'last_reported_at'
  // NULLs sort as the empty string so that the cursor comparison stays total; numbers as fixed-width text.
  const key = stat ? `printf('%020d', ${stat})` : `coalesce(${column === 'priority_score' ? `printf('%020d', ${column})` : column}, '')`
  const desc = f.sortDirection === 'desc'
  if (f.cursor) {
    const sep = f.cursor.lastIndexOf('::')
    const value = f.cursor.slice(0, sep)
    const id = Number(f.cursor.slice(sep + 2))
    add(`(${key} ${desc ? '<' : '>'} ? OR (${key} = ? AND id ${desc ? '<' : '>'} ?))`, value, value, id)
  }
  const sql = `SELECT *, ${key} AS sort_key FROM mod_subject_status s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${key} ${desc ? 'DESC' : 'ASC'}, id ${desc ? 'DESC' : 'ASC'} LIMIT +?`
  return db.query<SubjectStatusRow & { sort_key: string }, any[]>(sql).all(...args, f.limit)
}

export type AccountStats = { reportCount: number; appealCount: number; suspendCount: number; escalateCount: number; takedownCount: number }
export type RecordsStats = {
  totalReports: number
  reportedCount: number
  escalatedCount: number
  appealedCount: number
  subjectCount: number
  pendingCount: number
  processedCount: number
  takendownCount: number
}

/** Ozone's account_events_stats for one account: its events as an account subject. */
export function accountStats(db: Database, did: string): AccountStats {
  return db
    .query<AccountStats, [string]>(
      `SELECT
         coalesce(sum(e.type = '${REPORT}' AND coalesce(${REPORT_TYPE}, '') NOT IN (${APPEALS})), 0) AS reportCount,
         coalesce(sum(e.type = '${REPORT}' AND coalesce(${REPORT_TYPE}, '') IN (${APPEALS})), 0) AS appealCount,
         coalesce(sum(e.type = '${TAKEDOWN}' AND coalesce(json_extract(e.event, '$.durationInHours'), 0) > 0), 0) AS suspendCount,
         coalesce(sum(e.type = '${ESCALATE}'), 0) AS escalateCount,
         coalesce(sum(e.type = '${TAKEDOWN}' AND coalesce(json_extract(e.event, '$.durationInHours'), 0) = 0), 0) AS takedownCount
       FROM mod_event e WHERE e.subject_did = ? AND e.subject_uri IS NULL`,
    )
    .get(did)!
}

/** Ozone's account_record_events_stats and account_record_status_stats: the account's records as subjects. */
export function recordsStats(db: Database, did: string): RecordsStats {
  const events = db
    .query<Pick<RecordsStats, 'totalReports' | 'reportedCount' | 'escalatedCount' | 'appealedCount'>, [string]>(
      `SELECT coalesce(sum(reports), 0) AS totalReports, coalesce(sum(reports > 0), 0) AS reportedCount,
         coalesce(sum(escalations > 0), 0) AS escalatedCount, coalesce(sum(appeals > 0), 0) AS appealedCount
       FROM (SELECT e.subject_uri,
               sum(e.type = '${REPORT}' AND coalesce(${REPORT_TYPE}, '') NOT IN (${APPEALS})) AS reports,
               sum(e.type = '${REPORT}' AND coalesce(${REPORT_TYPE}, '') IN (${APPEALS})) AS appeals,
               sum(e.type = '${ESCALATE}') AS escalations
             FROM mod_event e WHERE e.subject_did = ? AND e.subject_uri IS NOT NULL GROUP BY e.subject_uri)`,
    )
    .get(did)!
  const open = `'tools.ozone.moderation.defs#reviewOpen', 'tools.ozone.moderation.defs#reviewEscalated'`
  const statuses = db
    .query<Pick<RecordsStats, 'subjectCount' | 'pendingCount' | 'processedCount' | 'takendownCount'>, [string]>(
      `SELECT count(*) AS subjectCount, coalesce(sum(review_state IN (${open})), 0) AS pendingCount,
         coalesce(sum(review_state NOT IN (${open})), 0) AS processedCount, coalesce(sum(takendown = 1), 0) AS takendownCount
       FROM mod_subject_status WHERE did = ? AND record_path != ''`,
    )
    .get(did)!
  return { ...events, ...statuses }
}

/** Open or escalated subjects among the account's records (takedown/acknowledge with acknowledgeAccountSubjects). */
export function pendingRecordSubjects(db: Database, did: string): SubjectStatusRow[] {
  return db
    .query<SubjectStatusRow, [string]>(
      `SELECT * FROM mod_subject_status WHERE did = ? AND record_path != ''
       AND review_state IN ('tools.ozone.moderation.defs#reviewOpen', 'tools.ozone.moderation.defs#reviewEscalated')`,
    )
    .all(did)
}

/** The account's record subject whose blobs include this CID (the blob's moderation status), if any. */
export function statusListingBlob(db: Database, did: string, cid: string): SubjectStatusRow | null {
  return db
    .query<SubjectStatusRow, [string, string]>(
      `SELECT * FROM mod_subject_status WHERE did = ? AND record_path != '' AND EXISTS (SELECT 1 FROM json_each(blob_cids) WHERE value = ?)
       ORDER BY updated_at DESC LIMIT 1`,
    )
    .get(did, cid)
}

/** Subjects whose timed takedown has run out. */
export function expiredSuspensions(db: Database, now: string): SubjectStatusRow[] {
  return db.query<SubjectStatusRow, [string]>('SELECT * FROM mod_subject_status WHERE takendown = 1 AND suspend_until IS NOT NULL AND suspend_until <= ?').all(now)
}

export function statusesOfRepo(db: Database, did: string): SubjectStatusRow[] {
  return db.query<SubjectStatusRow, [string]>('SELECT * FROM mod_subject_status WHERE did = ?').all(did)
}
