// Read-only looks into a data directory's databases (ours or a reference PDS's), for `pds adopt --check`,
// `pds doctor` and the first start on an adopted directory. Nothing here writes: a database without a
// WAL file is opened immutable (a plain read-only open would leave -wal and -shm files behind).
import { Database, constants } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import { referenceMigrations, referenceSchemaProblem } from './reference-schema.ts'

export function openForInspection(path: string): Database {
  if (existsSync(`${path}-wal`)) return new Database(path, { readonly: true })
  return new Database(`file:${encodeURI(path)}?immutable=1`, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI)
}

function tableExists(db: Database, name: string): boolean {
  return !!db.query("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)
}

function count(db: Database, sql: string): number {
  return (db.query(sql).get() as { n: number }).n
}

export type DatabaseSchema = {
  /** kysely_migration names when the reference PDS migrated this database, else null. */
  reference: string[] | null
  /** pds_migration names when we have opened it, else null. */
  ours: string[] | null
  /** Why we cannot open it (a newer or unfinished reference schema), else null. */
  problem: string | null
}

export function readSchema(db: Database, set: string, file: string): DatabaseSchema {
  const ours = tableExists(db, 'pds_migration')
    ? db
        .query<{ name: string }, []>('SELECT name FROM pds_migration ORDER BY name')
        .all()
        .map((r) => r.name)
    : null
  return { reference: referenceMigrations(db), ours, problem: referenceSchemaProblem(db, set, file)?.message ?? null }
}

export type AccountDbSummary = {
  accounts: Array<{ did: string; handle: string | null }>
  appPasswords: number
  liveRefreshTokens: number
  inviteCodes: number
  emailConfirmed: number
  takenDown: number
  deactivated: number
  /** Sessions of the reference's OAuth provider (its `token` table), which we do not read. */
  referenceOAuthSessions: number
}

/** Counts what an account.sqlite holds; null when it lacks the account tables (not a PDS database). */
export function readAccountSummary(db: Database): AccountDbSummary | null {
  if (!tableExists(db, 'actor') || !tableExists(db, 'account')) return null
  const now = new Date().toISOString()
  return {
    accounts: db.query<{ did: string; handle: string | null }, []>('SELECT did, handle FROM actor ORDER BY createdAt, did').all(),
    appPasswords: tableExists(db, 'app_password') ? count(db, 'SELECT count(*) AS n FROM app_password') : 0,
    liveRefreshTokens: tableExists(db, 'refresh_token')
      ? (db.query('SELECT count(*) AS n FROM refresh_token WHERE expiresAt > ?').get(now) as { n: number }).n
      : 0,
    inviteCodes: tableExists(db, 'invite_code') ? count(db, 'SELECT count(*) AS n FROM invite_code') : 0,
    emailConfirmed: count(db, 'SELECT count(*) AS n FROM account WHERE emailConfirmedAt IS NOT NULL'),
    takenDown: count(db, 'SELECT count(*) AS n FROM actor WHERE takedownRef IS NOT NULL'),
    deactivated: count(db, 'SELECT count(*) AS n FROM actor WHERE deactivatedAt IS NOT NULL'),
    referenceOAuthSessions: tableExists(db, 'token') ? count(db, 'SELECT count(*) AS n FROM token') : 0,
  }
}

/** The newest firehose sequence number, 0 for none; null when the file is not a sequencer database. */
export function readLastSeq(db: Database): number | null {
  if (!tableExists(db, 'repo_seq')) return null
  return (db.query('SELECT max(seq) AS n FROM repo_seq').get() as { n: number | null }).n ?? 0
}

/** The blobs an actor store says are stored (not temporary, not taken down): their files must exist. */
export function readStoredBlobCids(db: Database): string[] {
  if (!tableExists(db, 'blob')) return []
  return db
    .query<{ cid: string }, []>('SELECT cid FROM blob WHERE tempKey IS NULL AND takedownRef IS NULL')
    .all()
    .map((r) => r.cid)
}
