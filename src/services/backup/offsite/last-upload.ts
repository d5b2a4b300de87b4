// A local note of the newest finished off-site upload, so `pds status` and the backup-stale alert can
// tell how old the off-site copy is without asking the bucket. Written after an upload succeeds; the
// bucket's index.json stays the truth (`pds backup list --from`). Only node:fs here: the health checks
// import this without loading age or the S3 client.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type LastOffsiteUpload = {
  /** The backup's name in the bucket (backups/<name>/). */
  name: string
  /** The prefix it went to, as `pds backup list --from` takes it (no credentials). */
  url: string
  /** When the snapshot finished (the data's age), as its index.json says. */
  finishedAt: string
  /** When the upload completed. */
  uploadedAt: string
  accounts: number
}

export const LAST_OFFSITE_FILE = 'offsite-backup.json'

export const lastOffsitePath = (dataDirectory: string) => join(dataDirectory, LAST_OFFSITE_FILE)

export function writeLastOffsiteUpload(dataDirectory: string, upload: LastOffsiteUpload): void {
  const path = lastOffsitePath(dataDirectory)
  // Renamed into place: a crash mid-write leaves the previous note, never half of one.
  writeFileSync(`${path}.tmp`, JSON.stringify(upload, null, 2) + '\n', { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}

/** Null when no upload has finished from this data directory (or the note is unreadable). */
export function readLastOffsiteUpload(dataDirectory: string): LastOffsiteUpload | null {
  try {
    const note = JSON.parse(readFileSync(lastOffsitePath(dataDirectory), 'utf8')) as Partial<LastOffsiteUpload>
    if (typeof note.name !== 'string' || typeof note.url !== 'string' || typeof note.finishedAt !== 'string' || Number.isNaN(Date.parse(note.finishedAt))) return null
    return { name: note.name, url: note.url, finishedAt: note.finishedAt, uploadedAt: String(note.uploadedAt ?? note.finishedAt), accounts: Number(note.accounts ?? 0) }
  } catch {
    return null
  }
}
