// What a data directory holds and whether this server can serve it in place: a reference PDS's
// directory (its distribution's /pds), one we already adopted, or our own. Read-only; used by
// `pds adopt --check`, `pds doctor` and the first `pds serve` on a reference directory.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { Database } from 'bun:sqlite'
import {
  openForInspection,
  readAccountSummary,
  readLastSeq,
  readSchema,
  readStoredBlobCids,
  type AccountDbSummary,
} from '../../storage/data-directory-probe.ts'

export type DataDirectoryPaths = {
  dataDirectory: string
  accountDbLocation: string
  sequencerDbLocation: string
  didCacheDbLocation: string
  actorStoreDirectory: string
  /** The disk blobstore's directory; undefined with S3 (the bucket is not checked here). */
  blobDirectory?: string
}

export type DirectoryKind = 'reference' | 'adopted' | 'ours' | 'empty' | 'unknown'

export type AdoptionReport = {
  dataDirectory: string
  kind: DirectoryKind
  /** No problems: `pds serve` can use the directory as it is. */
  ok: boolean
  accounts: number
  lastSeq: number | null
  /** What will be used, one line each. */
  carriesOver: string[]
  /** What does not carry over (the directory is still served). */
  cannotCarryOver: string[]
  /** What stops the directory from being served; nothing is written while any remains. */
  problems: string[]
}

const PDS_FILES = ['account.sqlite', 'sequencer.sqlite', 'did_cache.sqlite', 'moderation.sqlite', 'moderation', 'actors', 'blocks', 'blobs']
const LISTED = 5

function listed(items: string[]): string {
  return items.slice(0, LISTED).join(', ') + (items.length > LISTED ? ` and ${items.length - LISTED} more` : '')
}

function withDb<T>(path: string, read: (db: Database) => T): T {
  const db = openForInspection(path)
  try {
    return read(db)
  } finally {
    db.close()
  }
}

function isSqliteFile(path: string): boolean {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const header = Buffer.alloc(16)
    readSync(fd, header, 0, 16, 0)
    return header.toString('latin1') === 'SQLite format 3\0'
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function actorLocation(actorDir: string, did: string): { dbLocation: string; keyLocation: string } {
  const directory = join(actorDir, createHash('sha256').update(did).digest('hex').slice(0, 2), did)
  return { dbLocation: join(directory, 'store.sqlite'), keyLocation: join(directory, 'key') }
}

export function inspectDataDirectory(paths: DataDirectoryPaths): AdoptionReport {
  const report: AdoptionReport = {
    dataDirectory: paths.dataDirectory,
    kind: 'unknown',
    ok: false,
    accounts: 0,
    lastSeq: null,
    carriesOver: [],
    cannotCarryOver: [],
    problems: [],
  }
  const finish = () => ({ ...report, ok: report.problems.length === 0 && report.kind !== 'unknown' })
  if (!existsSync(paths.dataDirectory) || !statSync(paths.dataDirectory).isDirectory()) {
    report.problems.push(`${paths.dataDirectory} is not a directory`)
    return finish()
  }
  const entries = readdirSync(paths.dataDirectory)
  if (!existsSync(paths.accountDbLocation)) {
    const pdsParts = entries.filter((e) => PDS_FILES.includes(e))
    if (pdsParts.length > 0) {
      report.problems.push(`account.sqlite is missing but ${listed(pdsParts)} is there: a half-copied data directory? Copy all of it, with the server stopped`)
    } else if (entries.every((e) => e === 'pds.env' || e.startsWith('.pds-'))) {
      report.kind = 'empty'
      report.carriesOver.push('nothing yet: pds serve creates a new data directory here')
    } else {
      report.problems.push(`${paths.dataDirectory} is not a PDS data directory (no account.sqlite)`)
    }
    return finish()
  }
  if (!isSqliteFile(paths.accountDbLocation)) {
    report.problems.push(`${paths.accountDbLocation} is not an SQLite database (a half-copied file?)`)
    return finish()
  }
  let summary: AccountDbSummary | null
  try {
    const schema = withDb(paths.accountDbLocation, (db) => readSchema(db, 'account', paths.accountDbLocation))
    if (schema.problem) report.problems.push(schema.problem)
    report.kind = schema.reference ? (schema.ours ? 'adopted' : 'reference') : schema.ours ? 'ours' : 'unknown'
    summary = withDb(paths.accountDbLocation, readAccountSummary)
  } catch (err) {
    report.problems.push(`cannot read ${paths.accountDbLocation}: ${(err as Error).message}`)
    return finish()
  }
  if (!summary) {
    report.kind = 'unknown'
    report.problems.push(`${paths.accountDbLocation} has no account tables: not a PDS database`)
    return finish()
  }
  report.accounts = summary.accounts.length
  inspectSequencer(paths, report)
  inspectDidCache(paths, report)
  const stores = inspectActors(paths, summary, report)
  describeAccounts(summary, stores, report)
  return finish()
}

function inspectSequencer(paths: DataDirectoryPaths, report: AdoptionReport): void {
  if (!existsSync(paths.sequencerDbLocation)) {
    if (report.kind === 'reference' && report.accounts > 0) {
      report.problems.push('sequencer.sqlite is missing: a relay resuming with its cursor would see the firehose start over (half-copied?)')
    }
    return
  }
  try {
    withDb(paths.sequencerDbLocation, (db) => {
      const schema = readSchema(db, 'sequencer', paths.sequencerDbLocation)
      if (schema.problem) report.problems.push(schema.problem)
      report.lastSeq = readLastSeq(db)
    })
    if (report.lastSeq === null) report.problems.push(`${paths.sequencerDbLocation} has no repo_seq table: not a PDS database`)
    else report.carriesOver.push(`firehose: continues after seq ${report.lastSeq} (a relay's cursor sees no gap and no repeat)`)
  } catch (err) {
    report.problems.push(`cannot read ${paths.sequencerDbLocation}: ${(err as Error).message}`)
  }
}

function inspectDidCache(paths: DataDirectoryPaths, report: AdoptionReport): void {
  if (!existsSync(paths.didCacheDbLocation)) return
  try {
    const schema = withDb(paths.didCacheDbLocation, (db) => readSchema(db, 'did_cache', paths.didCacheDbLocation))
    if (schema.problem) report.problems.push(schema.problem)
  } catch (err) {
    report.problems.push(`cannot read ${paths.didCacheDbLocation}: ${(err as Error).message}`)
  }
}

/** Each account's store and key must be there, in a schema we know, with its blobs on disk. */
function inspectActors(paths: DataDirectoryPaths, summary: AccountDbSummary, report: AdoptionReport): { stores: number; blobs: number } {
  const missingStore: string[] = []
  const missingKey: string[] = []
  const missingBlobs: string[] = []
  let stores = 0
  let blobs = 0
  for (const { did } of summary.accounts) {
    const { dbLocation, keyLocation } = actorLocation(paths.actorStoreDirectory, did)
    if (!existsSync(dbLocation)) {
      missingStore.push(did)
      continue
    }
    if (!existsSync(keyLocation)) missingKey.push(did)
    try {
      withDb(dbLocation, (db) => {
        const schema = readSchema(db, 'actor', dbLocation)
        if (schema.problem) report.problems.push(schema.problem)
        for (const cid of readStoredBlobCids(db)) {
          blobs++
          if (paths.blobDirectory && !existsSync(join(paths.blobDirectory, did, cid))) missingBlobs.push(`${did}/${cid}`)
        }
      })
      stores++
    } catch (err) {
      report.problems.push(`cannot read ${dbLocation}: ${(err as Error).message}`)
    }
  }
  if (missingStore.length) report.problems.push(`no actor store (actors/…/<did>/store.sqlite) for ${listed(missingStore)}: half-copied?`)
  if (missingKey.length) report.problems.push(`no signing key file (actors/…/<did>/key) for ${listed(missingKey)}: half-copied?`)
  if (missingBlobs.length) report.problems.push(`${missingBlobs.length} blob file(s) missing under ${paths.blobDirectory}: ${listed(missingBlobs)} (half-copied?)`)
  return { stores, blobs }
}

function describeAccounts(summary: AccountDbSummary, found: { stores: number; blobs: number }, report: AdoptionReport): void {
  const handles = summary.accounts.map((a) => a.handle ?? a.did)
  report.carriesOver.unshift(
    `${summary.accounts.length} account(s)${handles.length ? `: ${listed(handles)}` : ''}, signing in with the same passwords (scrypt salt:hash, the same format)`,
    `${found.stores} repo(s) with their records and signing keys; preferences; ${found.blobs} blob(s)`,
    `${summary.appPasswords} app password(s); ${summary.liveRefreshTokens} live refresh session(s) (same PDS_JWT_SECRET)`,
    `${summary.inviteCodes} invite code(s); ${summary.emailConfirmed} confirmed email(s); ${summary.takenDown} takedown(s); ${summary.deactivated} deactivated account(s)`,
  )
  if (report.kind === 'reference' || report.kind === 'adopted') {
    report.cannotCarryOver.push(
      summary.referenceOAuthSessions > 0
        ? `${summary.referenceOAuthSessions} OAuth session(s) of the reference's OAuth provider: those apps must sign in again (the reference's OAuth tables are kept, so they work again if you switch back)`
        : "OAuth sessions of the reference's OAuth provider (none now): apps signed in with OAuth would have to sign in again",
    )
  }
}
