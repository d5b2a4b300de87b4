// The s3:// side of `pds backup create|list|verify|restore` (README "Off-site backups"). Settings come
// from PDS_BACKUP_S3_* / PDS_BACKUP_AGE_* (pds.env under the process environment), the URL given
// overriding the location; on a fresh host the environment alone is enough.
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { ConfigError, offsiteBackupConfig, type OffsiteBackupConfig } from '../../src/config/config.ts'
import { resolveEnv } from '../../src/config/discover.ts'
import { layoutFromConfig, RestoreRefusedError, type DataLayout } from '../../src/services/backup/index.ts'
import { VERSION } from '../../src/version.ts'
import { findConfig, keyFilesFromEnv, loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { formatBytes, formatTable, type Output } from '../lib/output.ts'

export type OffsiteOptions = { dataDir?: string; envFile?: string; json?: boolean; quiet?: boolean; passphraseFile?: string; identity?: string }

// Loaded on use: age and its ciphers stay out of every other operator command.
const offsite = () => import('../../src/services/backup/offsite/index.ts')

export const isS3Url = (value: string | undefined): value is string => Boolean(value?.startsWith('s3://'))

/** The off-site settings for `url`, from pds.env (if any) under the process environment. */
export function offsiteSettings(opts: OffsiteOptions, url: string | undefined, requireEncryption: boolean): OffsiteBackupConfig {
  const env = { ...resolveEnv(findConfig(opts)).env }
  if (opts.passphraseFile) {
    delete env.PDS_BACKUP_AGE_PASSPHRASE
    env.PDS_BACKUP_AGE_PASSPHRASE_FILE = opts.passphraseFile
  }
  if (opts.identity) env.PDS_BACKUP_AGE_IDENTITY_FILE = opts.identity
  try {
    const settings = offsiteBackupConfig(env, { url, requireEncryption })
    if (!settings) throw new CliError('no off-site backup location: pass s3://bucket/prefix or set PDS_BACKUP_S3_URL', EXIT.usage)
    return settings
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.config)
    throw err
  }
}

/** OffsiteRefused/Unavailable and RestoreRefused → the exit codes scripts tell apart. */
export async function offsiteErrors<T>(body: () => Promise<T>): Promise<T> {
  const { OffsiteRefusedError, OffsiteUnavailableError } = await offsite()
  try {
    return await body()
  } catch (err) {
    if (err instanceof OffsiteUnavailableError) throw new CliError(err.message, EXIT.unavailable)
    if (err instanceof OffsiteRefusedError || err instanceof RestoreRefusedError) throw new CliError(err.message, EXIT.refused)
    throw err
  }
}

type Labels = Record<string, string>

export async function createOffsite(out: Output, opts: OffsiteOptions, url: string, labels: Labels): Promise<void> {
  const { config, envFile } = loadCliConfig(opts)
  const settings = offsiteSettings(opts, url, true)
  const { createOffsiteBackup } = await offsite()
  const result = await offsiteErrors(() =>
    createOffsiteBackup({
      settings,
      server: { did: config.service.did, hostname: config.service.hostname },
      layout: layoutFromConfig(config, envFile),
      pdsVersion: VERSION,
      onProgress: (p) => out.progress(labels[p.phase] ?? p.phase, p.done, p.total),
    }),
  )
  const u = result.upload
  out.result({ ok: true, url: result.url, name: u.name, accounts: result.accounts, files: u.files, blobsUploaded: u.blobsUploaded, blobsReused: u.blobsReused, bytesUploaded: u.bytesUploaded, pruned: result.prune.deleted, blobsDeleted: result.prune.blobsDeleted }, () =>
    [
      `Off-site backup ${u.name} written to ${result.url} (encrypted with age)`,
      `  ${result.accounts} accounts; ${u.files} files and ${u.blobsUploaded} new blobs uploaded (${formatBytes(u.bytesUploaded)}), ${u.blobsReused} blobs already there`,
      result.prune.deleted.length ? `  retention deleted ${result.prune.deleted.length} older backup(s) and ${result.prune.blobsDeleted} unreferenced blob(s)` : '',
      config.blobstore.provider === 's3' ? '  blobs are in S3 and are not part of this backup' : '',
    ]
      .filter(Boolean)
      .join('\n'),
  )
}

export async function listOffsiteCommand(out: Output, opts: OffsiteOptions, url: string | undefined): Promise<void> {
  const settings = offsiteSettings(opts, url, false)
  const { listOffsite } = await offsite()
  const { url: where, marker, backups } = await offsiteErrors(() => listOffsite(settings))
  out.result({ ok: true, url: where, serverDid: marker?.serverDid ?? null, hostname: marker?.hostname ?? null, encryption: marker?.encryption ?? null, backups }, () => {
    if (!marker) return `No pds backups in ${where}`
    const rows = backups.map((b) => [b.name, b.finishedAt, String(b.accounts), String(b.blobs.length), formatBytes(b.bytes)])
    return `${where}: backups of ${marker.serverDid} (${marker.hostname}), encrypted with ${marker.encryption === 'passphrase' ? 'a passphrase' : marker.recipient}\n` +
      (rows.length ? formatTable(['NAME', 'FINISHED', 'ACCOUNTS', 'BLOBS', 'SIZE'], rows) : 'no finished backups yet')
  })
}

export async function verifyOffsiteCommand(out: Output, opts: OffsiteOptions & { workDir?: string }, url: string | undefined, name: string | undefined, labels: Labels): Promise<number> {
  const settings = offsiteSettings(opts, url, false)
  const { verifyOffsiteBackup } = await offsite()
  const report = await offsiteErrors(() =>
    verifyOffsiteBackup({ settings, name, workDir: opts.workDir ?? tmpdir(), keys: keyFilesFromEnv(), onProgress: (p) => out.progress(labels[p.phase] ?? p.phase, p.done, p.total) }),
  )
  out.result(report, () => {
    const c = report.checked
    const summary = `${c.files} files, ${c.databases} databases, ${c.repos} repos (${c.records} records), ${c.blobs} blobs`
    const where = `${report.url} ${report.name}`
    if (report.ok) return `OK ${where}\n  ${summary}`
    return [`FAILED ${where}`, `  ${summary}`, ...report.problems.map((x) => `  ${x.path}: ${x.problem}`)].join('\n')
  })
  return report.ok ? EXIT.ok : EXIT.failed
}

export async function restoreOffsiteCommand(
  out: Output,
  opts: OffsiteOptions & { force?: boolean },
  url: string | undefined,
  name: string | undefined,
  layout: DataLayout,
  labels: Labels,
): Promise<void> {
  const settings = offsiteSettings(opts, url, false)
  // A configured server must be the one the backups are of (a fresh host has no pds.env yet).
  const found = findConfig(opts)
  const expectedServerDid = found.exists ? loadCliConfig(opts).config.service.did : undefined
  const { restoreOffsiteBackup } = await offsite()
  const result = await offsiteErrors(() =>
    restoreOffsiteBackup({ settings, name, layout, force: opts.force, keys: keyFilesFromEnv(), expectedServerDid, onProgress: (p) => out.progress(labels[p.phase] ?? p.phase, p.done, p.total) }),
  )
  out.result({ ok: true, url: result.url, name: result.name, serverDid: result.serverDid, dataDirectory: layout.dataDirectory, files: result.files, accounts: result.accounts, envFile: result.envFile, skippedBlobs: result.skippedBlobs }, () =>
    [
      `Restored ${result.accounts} accounts (${result.files} files) of ${result.serverDid} from ${result.url} ${result.name} into ${layout.dataDirectory}`,
      result.envFile === 'kept' ? `  kept the existing ${layout.envFile}` : result.envFile === 'restored' ? `  restored ${layout.envFile}` : '',
      result.skippedBlobs ? `  ${result.skippedBlobs} blobs skipped: this server keeps blobs in S3` : '',
      existsSync(layout.envFile) ? '  start the server with: pds serve' : '',
    ]
      .filter(Boolean)
      .join('\n'),
  )
}
