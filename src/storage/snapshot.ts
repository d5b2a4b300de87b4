// Whole-file operations on SQLite databases for backups: a consistent copy of a live database, and
// an integrity check of a copy.
import { Database } from 'bun:sqlite'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Copies one live SQLite database into `dest` as a single consistent snapshot (`VACUUM INTO`: one
 * read transaction, so consistent even mid-write), leaving the source's folder as it was: opening a
 * WAL database creates -wal and -shm files, which only the last connection to close removes, and a
 * read-only connection never does. So a database nobody has open is opened read-write and its side
 * files go with our connection; one whose -wal exists (a running server's, or one left by a crash)
 * is read through the files already there.
 */
export function snapshotDatabase(source: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true })
  const inUse = existsSync(`${source}-wal`)
  const db = new Database(source, inUse ? { readonly: true } : { readwrite: true, create: false })
  try {
    db.exec('PRAGMA busy_timeout = 10000')
    db.query('VACUUM INTO ?').run(dest)
  } finally {
    db.close()
  }
  // A backup is one file per database: no WAL, so reading it later leaves no side files either.
  const copy = new Database(dest, { readwrite: true, create: false })
  try {
    copy.exec('PRAGMA journal_mode = DELETE')
  } finally {
    copy.close()
  }
  chmodSync(dest, 0o600)
}

/** null when the database opens and passes `PRAGMA integrity_check`. */
export function integrityProblem(path: string): string | null {
  let db: Database | undefined
  try {
    db = new Database(path, { readonly: true })
    const rows = db.query<{ integrity_check: string }, []>('PRAGMA integrity_check').all()
    const messages = rows.map((r) => r.integrity_check)
    return messages.length === 1 && messages[0] === 'ok' ? null : `integrity_check: ${messages.slice(0, 3).join('; ')}`
  } catch (err) {
    return `does not open as SQLite: ${(err as Error).message}`
  } finally {
    db?.close()
  }
}
