// Opening SQLite files: pragmas, numbered migrations and transactions in one place.
// Statements everywhere in storage bind LIMIT/OFFSET as `+?`: SQLite plans with the bound value of a
// bare `LIMIT ?` and then re-prepares the statement each time it is bound again (every call in Bun;
// measured 3.4 -> 0.7 µs a call). Unary plus is a no-op on the value that the planner does not read.
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { MIGRATIONS } from '../generated/migrations.gen.ts'
import { checkpointInBackground } from './wal-checkpointer.ts'
import { adoptReferenceSchema, referenceSchemaProblem } from './reference-schema.ts'
import { registerWalSync } from './wal-sync.ts'

export type MigrationSet = string
export type SqliteSynchronous = 'FULL' | 'NORMAL'

export type OpenOptions = {
  /**
   * FULL (the default) in WAL mode: each commit fsyncs the WAL before it returns, so a committed
   * transaction survives a power loss. NORMAL skips that fsync: a commit survives kill -9 (it is in
   * the OS page cache) but an OS crash or power loss can roll back the newest ones (the database stays
   * consistent). NORMAL is for caches and for operators who opt out (PDS_SQLITE_SYNCHRONOUS=normal).
   */
  synchronous?: SqliteSynchronous
  readonly?: boolean
  /** This connection's page cache in KiB (SQLite's default: 2 MB). */
  cacheKb?: number
}

export function openDatabase(path: string, migrations: MigrationSet, opts: OpenOptions = {}): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  let db: Database
  try {
    db = new Database(path, { create: !opts.readonly, readonly: opts.readonly, strict: true })
  } catch (err) {
    // SQLite's "unable to open database file" names no file; the operator needs to know which.
    if (err instanceof Error) Object.assign(err, { path, message: `${err.message}: ${path}` })
    throw err
  }
  db.exec('PRAGMA journal_mode = WAL')
  db.exec(`PRAGMA synchronous = ${opts.synchronous ?? 'FULL'}`)
  db.exec('PRAGMA busy_timeout = 5000')
  db.exec('PRAGMA foreign_keys = ON')
  if (opts.cacheKb !== undefined) db.exec(`PRAGMA cache_size = -${Math.max(0, Math.floor(opts.cacheKb))}`)
  if (!opts.readonly) {
    try {
      migrate(db, migrations)
    } catch (err) {
      db.close() // e.g. a newer reference schema: refused, and the file is left as it was
      throw err
    }
  }
  if (!opts.readonly && path !== ':memory:') {
    checkpointInBackground(path, db)
    if ((opts.synchronous ?? 'FULL') === 'FULL') {
      // A WAL left by a crashed run may hold commits that reached only the page cache (kill -9).
      registerWalSync(db, path).flushSync()
    }
  }
  return db
}

/** Applies the embedded migrations of one set, in name order, each in its own transaction. */
export function migrate(db: Database, set: MigrationSet): void {
  // A reference PDS's database (a data directory adopted in place): refuse a schema we do not know
  // before writing anything, and count the reference's tables as our equivalent migrations.
  const problem = referenceSchemaProblem(db, set, db.filename)
  if (problem) throw problem
  db.exec('CREATE TABLE IF NOT EXISTS pds_migration (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT')
  const applied = new Set(db.query<{ name: string }, []>('SELECT name FROM pds_migration').all().map((r) => r.name))
  adoptReferenceSchema(db, set, applied, db.filename)
  const migrations: Record<string, string> = (MIGRATIONS as Record<string, Record<string, string>>)[set] ?? {}
  for (const [name, sql] of Object.entries(migrations).sort(([a], [b]) => a.localeCompare(b))) {
    if (applied.has(name)) continue
    db.transaction(() => {
      db.exec(sql)
      db.query('INSERT INTO pds_migration (name, applied_at) VALUES (?, ?)').run(name, new Date().toISOString())
    })()
  }
}

/** True while the database answers a trivial query (the server's health check). */
export function isResponsive(db: Database): boolean {
  try {
    db.query('SELECT 1').get()
    return true
  } catch {
    return false
  }
}

/** Creates a WAL database at `path`, round-trips a BLOB row and returns SQLite's version (`pds doctor`). */
export function probeSqlite(path: string): string {
  const db = new Database(path, { create: true, strict: true })
  try {
    db.run('PRAGMA journal_mode = WAL')
    db.run('CREATE TABLE probe (id INTEGER PRIMARY KEY, body BLOB NOT NULL) STRICT')
    db.query('INSERT INTO probe (body) VALUES ($body)').run({ body: new Uint8Array([1, 2, 3]) })
    const row = db.query('SELECT body FROM probe').get() as { body: Uint8Array } | null
    if (row?.body.length !== 3) throw new Error('row did not round-trip')
    return (db.query('SELECT sqlite_version() AS version').get() as { version: string }).version
  } finally {
    db.close()
  }
}
