// Backups taken by `pds serve` itself every PDS_BACKUP_INTERVAL into PDS_BACKUP_DIRECTORY,
// keeping the newest PDS_BACKUP_KEEP, and uploaded off-site when PDS_BACKUP_S3_* is set.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import { VERSION } from '../../version.ts'
import { layoutFromConfig } from './layout.ts'
import { MANIFEST_FILE, readManifest } from './manifest.ts'
import { BACKUP_PREFIX, createBackup } from './snapshot.ts'
import { formatS3Url } from '../../config/s3-url.ts'

export type BackupSettings = { directory: string; intervalMs: number; keep: number }

export type BackupListing = {
  name: string
  path: string
  startedAt: string
  finishedAt: string
  accounts: number
  files: number
  bytes: number
}

/** Complete backups in a folder, oldest first (unfinished `.partial` folders are not listed). */
export function listBackups(root: string): BackupListing[] {
  if (!existsSync(root)) return []
  const out: BackupListing[] = []
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(BACKUP_PREFIX) || entry.name.endsWith('.partial')) continue
    const path = join(root, entry.name)
    if (!existsSync(join(path, MANIFEST_FILE))) continue
    try {
      const manifest = readManifest(path)
      out.push({
        name: entry.name,
        path,
        startedAt: manifest.startedAt,
        finishedAt: manifest.finishedAt,
        accounts: manifest.accounts.length,
        files: manifest.files.length,
        bytes: manifest.files.reduce((sum, f) => sum + f.size, 0),
      })
    } catch {
      // A folder with an unreadable manifest is not ours to list (or delete).
    }
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt))
}

/** Deletes all but the newest `keep` backups; returns the deleted names. */
export function pruneBackups(root: string, keep: number): string[] {
  const backups = listBackups(root)
  const doomed = backups.slice(0, Math.max(0, backups.length - Math.max(1, keep)))
  for (const backup of doomed) rmSync(backup.path, { recursive: true, force: true })
  return doomed.map((b) => b.name)
}

export type BackupSchedule = { stop(): void; runNow(): Promise<void> }

/** Starts the timer when config.backup is set; returns null otherwise. */
export function startBackupSchedule(config: Config, log: Logger): BackupSchedule | null {
  const settings = config.backup
  if (!settings) return null
  const layout = layoutFromConfig(config)
  const server = { did: config.service.did, hostname: config.service.hostname }
  const pdsVersion = config.service.version ?? VERSION
  let running: Promise<void> | null = null
  const runNow = () =>
    (running ??= (async () => {
      try {
        // Loaded only when used: age and its ciphers stay out of a server that backs up locally or not at all.
        const offsite = settings.offsite ? await import('./offsite/index.ts') : null
        // Only off-site: the local copy is staged in the data directory and removed after the upload.
        const root = settings.local || !offsite ? settings.directory : offsite.stagingRoot(layout)
        const result = await createBackup({ layout, backupRoot: root, pdsVersion, hostname: config.service.hostname })
        const pruned = settings.local ? pruneBackups(settings.directory, settings.keep) : []
        if (settings.local) log.info('backup created', { path: result.path, accounts: result.stats.accounts, ms: result.stats.ms, pruned })
        if (settings.offsite && offsite) {
          try {
            const off = await offsite.createOffsiteBackup({ settings: settings.offsite, server, layout, pdsVersion, localDir: result.path })
            log.info('off-site backup uploaded', { url: off.url, name: off.upload.name, blobsUploaded: off.upload.blobsUploaded, blobsReused: off.upload.blobsReused, deleted: off.prune.deleted })
          } catch (err) {
            log.error('scheduled off-site backup failed', { err: (err as Error).message })
          } finally {
            if (!settings.local) offsite.removeStaging(layout, result.path)
          }
        }
      } catch (err) {
        log.error('scheduled backup failed', { err })
      } finally {
        running = null
      }
    })())
  const timer = setInterval(() => void runNow(), settings.intervalMs)
  timer.unref?.()
  log.info('backups scheduled', {
    directory: settings.local ? settings.directory : null,
    offsite: settings.offsite ? formatS3Url(settings.offsite.target) : null,
    intervalMs: settings.intervalMs,
    keep: settings.keep,
  })
  return { stop: () => clearInterval(timer), runNow }
}
