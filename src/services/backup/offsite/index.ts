// Off-site backups (README "Off-site backups"): a local backup (snapshot.ts) encrypted with age and
// uploaded to an S3 prefix, blobs incrementally; listed, verified and restored from the bucket alone.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { OffsiteBackupConfig } from '../../../config/config.ts'
import type { KeyFiles } from '../../../storage/key-files.ts'
import type { DataLayout } from '../layout.ts'
import { createBackup, type BackupProgress } from '../snapshot.ts'
import { existingData, restoreBackup, RestoreRefusedError, type RestoreResult } from '../restore.ts'
import { verifyBackup, type VerifyReport } from '../verify.ts'
import { Bucket } from './bucket.ts'
import { listOffsiteBackups, pruneOffsiteBackups, type PruneResult } from './catalog.ts'
import { downloadBackup } from './download.ts'
import type { OffsiteIndex } from './format.ts'
import { keysForReading, keysForWriting, OffsiteRefusedError, readMarker, type BucketMarker } from './keys.ts'
import { uploadBackup, type UploadResult } from './upload.ts'
import { writeLastOffsiteUpload } from './last-upload.ts'

export { Bucket, OffsiteUnavailableError } from './bucket.ts'
export { OffsiteRefusedError } from './keys.ts'
export type { OffsiteIndex } from './format.ts'

export type ServerIdentity = { did: string; hostname: string }
/** Phases of the local backup, verify and restore, plus the transfer. */
export type OffsitePhase = BackupProgress['phase'] | 'upload' | 'download' | 'checksums' | 'databases' | 'repos' | 'verify' | 'restore'
type Progress = (p: { phase: OffsitePhase; done: number; total: number }) => void

/** Where a backup is staged on its way out or in: inside the data directory, so blobs hard-link. */
export const stagingRoot = (layout: DataLayout) => join(layout.dataDirectory, '.offsite-staging')

/** Removes a staged backup, and the staging folder once nothing else is staged there. */
export function removeStaging(layout: DataLayout, dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  const root = stagingRoot(layout)
  if (existsSync(root) && readdirSync(root).length === 0) rmSync(root, { recursive: true, force: true })
}

export type OffsiteCreateResult = { url: string; upload: UploadResult; prune: PruneResult; accounts: number }

/**
 * Uploads `localDir` (a finished local backup) or, without it, a fresh snapshot staged in the data
 * directory and removed afterwards; then applies retention. The bucket and key are checked first.
 */
export async function createOffsiteBackup(opts: {
  settings: OffsiteBackupConfig
  server: ServerIdentity
  layout: DataLayout
  pdsVersion: string
  localDir?: string
  onProgress?: Progress
}): Promise<OffsiteCreateResult> {
  const bucket = new Bucket(opts.settings.target)
  const keys = await keysForWriting(bucket, opts.settings.encryption, opts.server)
  let localDir = opts.localDir
  const staged = !localDir
  if (!localDir) {
    const local = await createBackup({
      layout: opts.layout,
      backupRoot: stagingRoot(opts.layout),
      pdsVersion: opts.pdsVersion,
      hostname: opts.server.hostname,
      onProgress: opts.onProgress,
    })
    localDir = local.path
  }
  try {
    const upload = await uploadBackup({ bucket, keys, localDir, server: opts.server, onProgress: (p) => opts.onProgress?.({ phase: 'upload', ...p }) })
    const prune = await pruneOffsiteBackups(bucket, { keep: opts.settings.keep, maxAgeMs: opts.settings.maxAgeMs })
    const index = (await listOffsiteBackups(bucket)).find((b) => b.name === upload.name)
    const accounts = index?.accounts ?? 0
    try {
      if (index) writeLastOffsiteUpload(opts.layout.dataDirectory, { name: upload.name, url: bucket.url, finishedAt: index.finishedAt, uploadedAt: new Date().toISOString(), accounts })
    } catch {
      // The upload stands; only `pds status` shows an older one until the next upload.
    }
    return { url: bucket.url, upload, prune, accounts }
  } finally {
    if (staged) removeStaging(opts.layout, localDir)
  }
}

export async function listOffsite(settings: OffsiteBackupConfig): Promise<{ url: string; marker: BucketMarker | null; backups: OffsiteIndex[] }> {
  const bucket = new Bucket(settings.target)
  const marker = await readMarker(bucket)
  return { url: bucket.url, marker, backups: marker ? await listOffsiteBackups(bucket) : [] }
}

async function pickBackup(bucket: Bucket, name: string | undefined): Promise<string> {
  const backups = await listOffsiteBackups(bucket)
  if (name) {
    if (!backups.some((b) => b.name === name)) throw new OffsiteRefusedError(`${bucket.url} has no finished backup named ${name}`)
    return name
  }
  const newest = backups.at(-1)
  if (!newest) throw new OffsiteRefusedError(`${bucket.url} holds no finished backups`)
  return newest.name
}

export type OffsiteVerifyReport = Omit<VerifyReport, 'manifest'> & { url: string; name: string }

/** Downloads one backup (default: the newest) into a scratch folder and verifies it as `pds backup verify` does. */
export async function verifyOffsiteBackup(opts: { settings: OffsiteBackupConfig; name?: string; workDir: string; keys?: KeyFiles; onProgress?: Progress }): Promise<OffsiteVerifyReport> {
  const bucket = new Bucket(opts.settings.target)
  const { keys, marker } = await keysForReading(bucket, opts.settings.encryption)
  const name = await pickBackup(bucket, opts.name)
  const scratch = mkdtempSync(join(opts.workDir, '.pds-offsite-verify-'))
  try {
    const dir = join(scratch, name)
    const download = await downloadBackup({ bucket, keys, name, marker, dest: dir, onProgress: (p) => opts.onProgress?.({ phase: 'download', ...p }) })
    const checked = { files: download.offsite.manifest.files.length, databases: 0, repos: 0, records: 0, blobs: 0 }
    if (download.problems.length) return { url: bucket.url, name, ok: false, checked, problems: download.problems }
    const { manifest: _, ...report } = await verifyBackup(dir, { keys: opts.keys, onProgress: (p) => opts.onProgress?.(p) })
    return { url: bucket.url, name, ...report }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/**
 * Restores one backup (default: the newest) into `layout`. Everything is downloaded, decrypted and
 * verified before the first byte of the data directory changes; `expectedServerDid` (this machine's
 * configured server, if any) must match the backup's.
 */
export async function restoreOffsiteBackup(opts: {
  settings: OffsiteBackupConfig
  name?: string
  layout: DataLayout
  force?: boolean
  keys?: KeyFiles
  expectedServerDid?: string
  onProgress?: Progress
}): Promise<RestoreResult & { url: string; name: string; serverDid: string }> {
  const bucket = new Bucket(opts.settings.target)
  const { keys, marker } = await keysForReading(bucket, opts.settings.encryption)
  if (opts.expectedServerDid && opts.expectedServerDid !== marker.serverDid) {
    throw new RestoreRefusedError(
      `${bucket.url} holds the backups of ${marker.serverDid} (${marker.hostname}), but this machine is configured as ${opts.expectedServerDid}: refusing to restore another server's data`,
    )
  }
  const existing = existingData(opts.layout)
  if (existing.length && !opts.force) throw new RestoreRefusedError(`${opts.layout.dataDirectory} already holds data (${existing.join(', ')}); pass --force to replace it`)
  const name = await pickBackup(bucket, opts.name)
  const dir = join(stagingRoot(opts.layout), `restore-${name}`)
  rmSync(dir, { recursive: true, force: true })
  try {
    const download = await downloadBackup({ bucket, keys, name, marker, dest: dir, onProgress: (p) => opts.onProgress?.({ phase: 'download', ...p }) })
    if (download.problems.length) {
      const first = download.problems.slice(0, 5).map((p) => p.problem)
      throw new RestoreRefusedError(`the backup ${name} cannot be restored (${download.problems.length} problems; nothing was changed):\n  ${first.join('\n  ')}`)
    }
    const result = await restoreBackup({ backupDir: dir, layout: opts.layout, force: opts.force, keys: opts.keys, onProgress: (p) => opts.onProgress?.(p) })
    return { ...result, url: bucket.url, name, serverDid: marker.serverDid }
  } finally {
    removeStaging(opts.layout, dir)
  }
}
