// `pds backup restore`: put a verified backup in place of a (stopped) server's data.
import type { KeyFiles } from '../../storage/key-files.ts'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseEnvFile, formatEnvFile } from '../../config/env.ts'
import { LABEL_KEY_FOLDER, serverDatabases, type DataLayout } from './layout.ts'
import { readManifest, type ManifestFile } from './manifest.ts'
import { linkOrCopy } from './snapshot.ts'
import { verifyBackup, type VerifyReport } from './verify.ts'
import { requireFullCheckAtNextStart } from '../../storage/run-marker.ts'

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RestoreRefusedError'
  }
}

export type RestoreOptions = {
  backupDir: string
  layout: DataLayout
  /** Replace existing data instead of refusing. */
  force?: boolean
  /** Opens encrypted signing keys while verifying (PDS_KEY_ENCRYPTION_KEY). */
  keys?: KeyFiles
  onProgress?: (p: { phase: 'verify' | 'restore'; done: number; total: number }) => void
}

export type RestoreResult = {
  files: number
  accounts: number
  skippedBlobs: number
  envFile: 'restored' | 'kept' | 'absent'
  verify: VerifyReport
}

export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const { layout, backupDir } = opts
  const report = opts.onProgress ?? (() => {})
  readManifest(backupDir) // fail fast on a folder that is not a backup
  const verify = await verifyBackup(backupDir, { keys: opts.keys, onProgress: (p) => report({ phase: 'verify', done: p.done, total: p.total }) })
  if (!verify.ok) {
    const first = verify.problems.slice(0, 5).map((p) => `${p.path}: ${p.problem}`)
    throw new RestoreRefusedError(`the backup does not verify (${verify.problems.length} problems):\n  ${first.join('\n  ')}`)
  }
  const existing = existingData(layout)
  if (existing.length && !opts.force) {
    throw new RestoreRefusedError(`${layout.dataDirectory} already holds data (${existing.join(', ')}); pass --force to replace it`)
  }
  for (const path of existing) removeData(path)

  const files = verify.manifest.files
  const result: RestoreResult = { files: 0, accounts: 0, skippedBlobs: 0, envFile: 'absent', verify }
  mkdirSync(layout.dataDirectory, { recursive: true })
  for (const [i, file] of files.entries()) {
    if (i % 100 === 0) report({ phase: 'restore', done: i, total: files.length })
    if (file.kind === 'config') {
      result.envFile = restoreEnvFile(join(backupDir, file.path), layout)
      continue
    }
    const dest = destinationOf(file, layout)
    if (!dest) {
      result.skippedBlobs++
      continue
    }
    placeFile(join(backupDir, file.path), dest, file)
    if (file.kind === 'actor-store') result.accounts++
    result.files++
  }
  report({ phase: 'restore', done: files.length, total: files.length })
  // The snapshots were taken file by file from a running server: the next start compares every
  // repo's head with the firehose, as after an unclean stop, instead of trusting dirty marks.
  requireFullCheckAtNextStart(layout.dataDirectory)
  return result
}

function destinationOf(file: ManifestFile, layout: DataLayout): string | null {
  if (file.kind === 'database') {
    const db = serverDatabases(layout).find((d) => d.name === file.path)
    if (!db) throw new RestoreRefusedError(`unknown database ${file.path} in the manifest`)
    return db.path
  }
  if (file.kind === 'key' && file.path.startsWith(`${LABEL_KEY_FOLDER}/`) && !file.path.slice(LABEL_KEY_FOLDER.length + 1).includes('/')) {
    return join(layout.labelKeyDirectory, file.path.slice(LABEL_KEY_FOLDER.length + 1))
  }
  if (file.path.startsWith('actors/')) return join(layout.actorStoreDirectory, file.path.slice('actors/'.length))
  if (file.path.startsWith('blobs/')) return layout.blobDirectory && join(layout.blobDirectory, file.path.slice('blobs/'.length))
  throw new RestoreRefusedError(`unexpected file ${file.path} in the manifest`)
}

function placeFile(source: string, dest: string, file: ManifestFile): void {
  mkdirSync(dirname(dest), { recursive: true })
  if (file.kind === 'blob') {
    linkOrCopy(source, dest) // blobs are immutable: sharing the inode with the backup is safe
    return
  }
  // Databases and keys are written next to their place, then renamed: never half a file.
  const temp = `${dest}.restoring`
  copyFileSync(source, temp)
  chmodSync(temp, 0o600)
  renameSync(temp, dest)
}

/** Keeps an existing pds.env (this machine's configuration wins); else restores the backed-up one. */
function restoreEnvFile(source: string, layout: DataLayout): 'restored' | 'kept' {
  if (existsSync(layout.envFile)) return 'kept'
  const values = parseEnvFile(readFileSync(source, 'utf8'))
  if (values.PDS_DATA_DIRECTORY) values.PDS_DATA_DIRECTORY = layout.dataDirectory
  mkdirSync(dirname(layout.envFile), { recursive: true })
  writeFileSync(layout.envFile, formatEnvFile(values, 'Restored by `pds backup restore`.'), { mode: 0o600 })
  chmodSync(layout.envFile, 0o600)
  return 'restored'
}

/** The pieces of server state present under this layout (pds.env is configuration, not data). */
export function existingData(layout: DataLayout): string[] {
  const present: string[] = []
  for (const db of serverDatabases(layout)) if (existsSync(db.path)) present.push(db.path)
  for (const dir of [layout.actorStoreDirectory, layout.labelKeyDirectory, layout.blobDirectory]) {
    if (dir && existsSync(dir) && readdirSync(dir).length > 0) present.push(dir)
  }
  return present
}

function removeData(path: string): void {
  rmSync(path, { recursive: true, force: true })
  // A stale WAL next to a replaced database would be replayed into it.
  rmSync(`${path}-wal`, { force: true })
  rmSync(`${path}-shm`, { force: true })
}
