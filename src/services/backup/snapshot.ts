// `pds backup create`: a consistent copy of the data directory taken while the server keeps serving.
// Each SQLite file is copied as one consistent snapshot (storage/snapshot.ts: a single read transaction, even
// mid-write). Order matters across files: the sequencer first, then accounts, then the actor stores,
// then blobs — so a restored firehose never announces a commit its repo lacks, and every blob a
// snapshotted record points at was already on disk (blobs are written before the commit).
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ACTOR_KEY_FILE, ACTOR_STORE_FILE, canonicalLayout, LABEL_KEY_FOLDER, listActorDirs, listFilesRecursive, serverDatabases, type DataLayout } from './layout.ts'
import { MANIFEST_FORMAT, sha256File, writeManifest, type FileKind, type Manifest, type ManifestFile } from './manifest.ts'
import { snapshotDatabase } from '../../storage/snapshot.ts'
import { readStoreFileRoot } from '../../storage/actor/store-file.ts'
import { listLabelKeyFiles } from '../../storage/moderation/label-keys.ts'

export { snapshotDatabase }

export type BackupPhase = 'databases' | 'actors' | 'blobs' | 'checksums'
export type BackupProgress = { phase: BackupPhase; done: number; total: number }

export type CreateBackupOptions = {
  layout: DataLayout
  /** The folder that holds backups; each backup is a new subfolder of it. */
  backupRoot: string
  pdsVersion: string
  hostname?: string
  onProgress?: (progress: BackupProgress) => void
  now?: () => Date
}

export type BackupResult = {
  name: string
  path: string
  manifest: Manifest
  stats: { databases: number; accounts: number; blobs: number; blobsLinked: number; bytes: number; ms: number }
}

export const BACKUP_PREFIX = 'pds-backup-'
const PARTIAL_SUFFIX = '.partial'

export function backupName(at: Date): string {
  return BACKUP_PREFIX + at.toISOString().replace(/[:.]/g, '-')
}

/** Hard-links an immutable file when both paths share a filesystem, else copies it. */
export function linkOrCopy(source: string, dest: string): 'linked' | 'copied' {
  mkdirSync(dirname(dest), { recursive: true })
  try {
    linkSync(source, dest)
    return 'linked'
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP') throw err
    copyFileSync(source, dest)
    return 'copied'
  }
}

// Yield to the event loop between files so a server taking a scheduled backup keeps answering.
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve))

export async function createBackup(opts: CreateBackupOptions): Promise<BackupResult> {
  const now = opts.now ?? (() => new Date())
  const started = now()
  const name = backupName(started)
  const finalDir = join(opts.backupRoot, name)
  if (existsSync(finalDir)) throw new Error(`${finalDir} already exists`)
  const workDir = finalDir + PARTIAL_SUFFIX
  rmSync(workDir, { recursive: true, force: true })
  mkdirSync(workDir, { recursive: true, mode: 0o700 })
  chmodSync(workDir, 0o700)
  const target = canonicalLayout(workDir)
  const files: Array<{ path: string; kind: FileKind }> = []
  const report = opts.onProgress ?? (() => {})
  const stats = { databases: 0, accounts: 0, blobs: 0, blobsLinked: 0, bytes: 0, ms: 0 }

  try {
    const databases = serverDatabases(opts.layout).filter((db) => existsSync(db.path))
    for (const [i, db] of databases.entries()) {
      report({ phase: 'databases', done: i, total: databases.length })
      snapshotDatabase(db.path, join(workDir, db.name))
      files.push({ path: db.name, kind: 'database' })
      stats.databases++
      await breathe()
    }
    report({ phase: 'databases', done: databases.length, total: databases.length })

    // The moderation team's label keys, as they are on disk (sealed stays sealed), like signing keys.
    for (const key of listLabelKeyFiles(opts.layout.labelKeyDirectory)) {
      const rel = `${LABEL_KEY_FOLDER}/${basename(key.path)}`
      mkdirSync(join(workDir, LABEL_KEY_FOLDER), { recursive: true, mode: 0o700 })
      copyFileSync(key.path, join(workDir, rel))
      chmodSync(join(workDir, rel), 0o600)
      files.push({ path: rel, kind: 'key' })
    }

    const actors = listActorDirs(opts.layout.actorStoreDirectory)
    const accounts: Manifest['accounts'] = []
    for (const [i, actor] of actors.entries()) {
      report({ phase: 'actors', done: i, total: actors.length })
      const rel = `actors/${actor.relativeDir}`
      const storeDest = join(workDir, rel, ACTOR_STORE_FILE)
      snapshotDatabase(join(actor.dir, ACTOR_STORE_FILE), storeDest)
      files.push({ path: `${rel}/${ACTOR_STORE_FILE}`, kind: 'actor-store' })
      if (existsSync(join(actor.dir, ACTOR_KEY_FILE))) {
        copyFileSync(join(actor.dir, ACTOR_KEY_FILE), join(workDir, rel, ACTOR_KEY_FILE))
        chmodSync(join(workDir, rel, ACTOR_KEY_FILE), 0o600)
        files.push({ path: `${rel}/${ACTOR_KEY_FILE}`, kind: 'key' })
      }
      accounts.push({ did: actor.did, ...readStoreFileRoot(storeDest) })
      stats.accounts++
      await breathe()
    }
    report({ phase: 'actors', done: actors.length, total: actors.length })

    if (opts.layout.blobDirectory && target.blobDirectory) {
      const blobs = listFilesRecursive(opts.layout.blobDirectory, opts.layout.blobTempDirectory)
      for (const [i, rel] of blobs.entries()) {
        if (i % 100 === 0) report({ phase: 'blobs', done: i, total: blobs.length })
        const how = linkOrCopy(join(opts.layout.blobDirectory, rel), join(target.blobDirectory, rel))
        if (how === 'linked') stats.blobsLinked++
        files.push({ path: `blobs/${rel}`, kind: 'blob' })
        stats.blobs++
      }
      report({ phase: 'blobs', done: blobs.length, total: blobs.length })
    }

    if (existsSync(opts.layout.envFile)) {
      copyFileSync(opts.layout.envFile, target.envFile)
      chmodSync(target.envFile, 0o600)
      files.push({ path: 'pds.env', kind: 'config' })
    }

    const manifestFiles: ManifestFile[] = []
    for (const [i, file] of files.entries()) {
      if (i % 100 === 0) report({ phase: 'checksums', done: i, total: files.length })
      const abs = join(workDir, file.path)
      const size = statSync(abs).size
      stats.bytes += size
      manifestFiles.push({ ...file, size, sha256: await sha256File(abs) })
    }
    report({ phase: 'checksums', done: files.length, total: files.length })

    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      pdsVersion: opts.pdsVersion,
      hostname: opts.hostname ?? null,
      startedAt: started.toISOString(),
      finishedAt: now().toISOString(),
      accounts,
      blobs: opts.layout.blobDirectory ? 'included' : 'external',
      files: manifestFiles,
    }
    writeManifest(workDir, manifest)
    // Only a complete backup ever carries the final name.
    renameSync(workDir, finalDir)
    stats.ms = Date.parse(manifest.finishedAt) - started.getTime()
    return { name, path: finalDir, manifest, stats }
  } catch (err) {
    rmSync(workDir, { recursive: true, force: true })
    throw err
  }
}
