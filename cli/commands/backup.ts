// `pds backup create|list|verify|restore`: snapshots of the whole data directory, no sqlite3 needed.
import * as p from '@clack/prompts'
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  BackupFormatError,
  canonicalLayout,
  createBackup,
  existingData,
  layoutFromConfig,
  listBackups,
  pruneBackups,
  restoreBackup,
  RestoreRefusedError,
  verifyBackup,
} from '../../src/services/backup/index.ts'
import type { Config } from '../../src/config/config.ts'
import { VERSION } from '../../src/version.ts'
import { DataDirectoryLockedError, lockDataDirectory } from '../../src/services/data-directory.ts'
import { findConfig, keyFilesFromEnv, loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { withConfigOptions, withJsonOption } from '../lib/options.ts'
import { formatBytes, formatTable, Output, runCommand } from '../lib/output.ts'
import { createOffsite, isS3Url, listOffsiteCommand, restoreOffsiteCommand, verifyOffsiteCommand, type OffsiteOptions } from './backup-offsite.ts'

type Common = OffsiteOptions & { from?: string; workDir?: string }

const PHASE_LABELS: Record<string, string> = {
  databases: 'Server databases',
  actors: 'Account stores',
  blobs: 'Blobs',
  checksums: 'Checksums',
  repos: 'Repositories',
  verify: 'Verifying',
  restore: 'Restoring',
  upload: 'Uploading',
  download: 'Downloading',
}

export function backupRoot(config: Config, to?: string): string {
  return resolve(to ?? config.backup?.directory ?? join(config.db.dataDirectory, 'backups'))
}

export function registerBackup(program: Command): void {
  const backup = program.command('backup').description('create, list, verify and restore backups of the data directory')
  const common = (cmd: Command) => withJsonOption(withConfigOptions(cmd)).option('-q, --quiet', 'no progress output')
  const keyOptions = (cmd: Command) =>
    cmd
      .option('--passphrase-file <file>', 'off-site: the age passphrase (default: $PDS_BACKUP_AGE_PASSPHRASE[_FILE])')
      .option('--identity <file>', 'off-site: the age identity file for recipient-encrypted backups (default: $PDS_BACKUP_AGE_IDENTITY_FILE)')

  common(backup.command('create'))
    .description('snapshot every database, signing key and blob while the server keeps running')
    .option('--to <dir|s3://bucket/prefix>', 'folder to put the backup in (default: $PDS_BACKUP_DIRECTORY or <data-dir>/backups), or an S3 prefix: encrypted, blobs incremental')
    .option('--keep <n>', 'afterwards delete all but the newest <n> backups in that folder')
    .option('--passphrase-file <file>', 'off-site: the age passphrase (default: $PDS_BACKUP_AGE_PASSPHRASE[_FILE])')
    .action((opts: Common & { to?: string; keep?: string }) => {
      const out = new Output(opts)
      return runCommand(out, async () => {
        if (isS3Url(opts.to)) return createOffsite(out, opts, opts.to, PHASE_LABELS)
        const { config, envFile } = loadCliConfig(opts)
        const keep = opts.keep === undefined ? undefined : Number(opts.keep)
        if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) throw new CliError('--keep must be a whole number >= 1', EXIT.usage)
        const result = await createBackup({
          layout: layoutFromConfig(config, envFile),
          backupRoot: backupRoot(config, opts.to),
          pdsVersion: VERSION,
          hostname: config.service.hostname,
          onProgress: (prog) => out.progress(PHASE_LABELS[prog.phase]!, prog.done, prog.total),
        })
        const pruned = keep ? pruneBackups(backupRoot(config, opts.to), keep) : []
        out.result({ ok: true, path: result.path, name: result.name, ...result.stats, pruned }, () => {
          const s = result.stats
          const lines = [
            `Backup written to ${result.path}`,
            `  ${s.accounts} accounts, ${s.databases} server databases, ${s.blobs} blobs (${s.blobsLinked} hard-linked), ${formatBytes(s.bytes)} in ${(s.ms / 1000).toFixed(1)}s`,
          ]
          if (pruned.length) lines.push(`  deleted ${pruned.length} older backup(s)`)
          if (config.blobstore.provider === 's3') lines.push('  blobs are in S3 and are not part of this backup')
          return lines.join('\n')
        })
      })
    })

  common(backup.command('list'))
    .description('list the backups in the backup folder, or in an S3 prefix')
    .option('--to <dir>', 'backup folder (default: $PDS_BACKUP_DIRECTORY or <data-dir>/backups)')
    .option('--from <s3://bucket/prefix>', 'list the off-site backups there ("s3": the configured PDS_BACKUP_S3_* location)')
    .action((opts: Common & { to?: string }) => {
      const out = new Output(opts)
      return runCommand(out, () => {
        if (opts.from) return listOffsiteCommand(out, opts, offsiteUrl(opts.from))
        const root = opts.to ? resolve(opts.to) : backupRoot(loadCliConfig(opts).config)
        const backups = listBackups(root)
        out.result({ ok: true, directory: root, backups }, () => {
          if (!backups.length) return `No backups in ${root}`
          const rows = backups.map((b) => [b.name, b.finishedAt, String(b.accounts), formatBytes(b.bytes)])
          return `${root}\n` + formatTable(['NAME', 'FINISHED', 'ACCOUNTS', 'SIZE'], rows)
        })
      })
    })

  keyOptions(common(backup.command('verify')))
    .description('check a backup: checksums, SQLite integrity, every repo against its signing key, every blob')
    .argument('[backup]', 'backup folder (or its name in the backup folder); with --from, the backup\'s name (default: the newest)')
    .option('--from <s3://bucket/prefix>', 'verify an off-site backup: download, decrypt and check it ("s3": the configured location)')
    .option('--work-dir <dir>', 'off-site: where to download it to while checking (default: the system temp folder)')
    .action((name: string | undefined, opts: Common) => {
      const out = new Output(opts)
      return runCommand(out, async () => {
        if (opts.from) return verifyOffsiteCommand(out, opts, offsiteUrl(opts.from), name, PHASE_LABELS)
        if (!name) throw new CliError('name a backup folder, or pass --from s3://bucket/prefix', EXIT.usage)
        const dir = locateBackup(name, opts)
        const report = await verifyBackup(dir, { keys: keyFilesFromEnv(), onProgress: (prog) => out.progress(PHASE_LABELS[prog.phase]!, prog.done, prog.total) })
        const { manifest, ...rest } = report
        out.result({ path: dir, ...rest }, () => {
          const c = report.checked
          const summary = `${c.files} files, ${c.databases} databases, ${c.repos} repos (${c.records} records), ${c.blobs} blobs`
          if (report.ok) return `OK ${dir}\n  ${summary}`
          return [`FAILED ${dir}`, `  ${summary}`, ...report.problems.map((x) => `  ${x.path}: ${x.problem}`)].join('\n')
        })
        return report.ok ? EXIT.ok : EXIT.failed
      })
    })

  keyOptions(common(backup.command('restore')))
    .description('restore a backup into the data directory of a stopped server')
    .argument('[backup]', 'backup folder (or its name in the backup folder); with --from, the backup\'s name (default: the newest)')
    .option('--from <s3://bucket/prefix>', 'restore an off-site backup ("s3": the configured location); on a fresh host with --data-dir')
    .option('--force', 'replace the data that is there now')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((name: string | undefined, opts: Common & { force?: boolean; yes?: boolean }) => {
      const out = new Output(opts)
      return runCommand(out, async () => {
        if (!name && !opts.from) throw new CliError('name a backup folder, or pass --from s3://bucket/prefix', EXIT.usage)
        const dir = opts.from ? null : locateBackup(name!, opts)
        const layout = restoreTarget(opts)
        // The server's own lock, not a guess at its port: held until this process exits, so no server
        // can start on a half-restored directory either.
        try {
          lockDataDirectory(layout.dataDirectory, 'pds backup restore')
        } catch (err) {
          if (err instanceof DataDirectoryLockedError) throw new CliError(restoreRefusal(err), EXIT.refused)
          throw err
        }
        const existing = existingData(layout)
        if (existing.length && opts.force && !opts.yes && process.stdin.isTTY && !opts.json) {
          const ok = await p.confirm({ message: `Replace the data in ${layout.dataDirectory} with ${dir ?? opts.from}?`, initialValue: false })
          if (p.isCancel(ok) || !ok) throw new CliError('cancelled', EXIT.refused)
        }
        if (!dir) return restoreOffsiteCommand(out, opts, offsiteUrl(opts.from!), name, layout, PHASE_LABELS)
        try {
          const result = await restoreBackup({
            backupDir: dir,
            layout,
            force: opts.force,
            keys: keyFilesFromEnv(),
            onProgress: (prog) => out.progress(PHASE_LABELS[prog.phase]!, prog.done, prog.total),
          })
          out.result({ ok: true, dataDirectory: layout.dataDirectory, files: result.files, accounts: result.accounts, envFile: result.envFile, skippedBlobs: result.skippedBlobs }, () =>
            [
              `Restored ${result.accounts} accounts (${result.files} files) into ${layout.dataDirectory}`,
              result.envFile === 'kept' ? `  kept the existing ${layout.envFile}` : result.envFile === 'restored' ? `  restored ${layout.envFile}` : '',
              result.skippedBlobs ? `  ${result.skippedBlobs} blobs skipped: this server keeps blobs in S3` : '',
              '  start the server with: pds serve',
            ]
              .filter(Boolean)
              .join('\n'),
          )
        } catch (err) {
          if (err instanceof RestoreRefusedError) throw new CliError(err.message, EXIT.refused)
          throw err
        }
      })
    })
}

/** `--from s3` means the configured PDS_BACKUP_S3_* location; else the URL given. */
function offsiteUrl(from: string): string | undefined {
  if (from === 's3') return undefined
  if (!isS3Url(from)) throw new CliError(`--from ${from}: must be s3://bucket/prefix (or "s3" for the configured location)`, EXIT.usage)
  return from
}

function restoreRefusal(err: DataDirectoryLockedError): string {
  const h = err.holder
  if (h?.command !== 'pds serve') return err.message
  return `a server is running on ${err.dataDirectory} (pid ${h.pid}, since ${h.since}); stop it first (e.g. systemctl stop pds)`
}

/** A path to a backup, or a backup's name inside the configured backup folder. */
function locateBackup(name: string, opts: Common): string {
  const direct = resolve(name)
  if (existsSync(join(direct, 'manifest.json'))) return direct
  if (!name.includes('/') && findConfig(opts).exists) {
    const inRoot = join(backupRoot(loadCliConfig(opts).config), name)
    if (existsSync(join(inRoot, 'manifest.json'))) return inRoot
  }
  throw new CliError(new BackupFormatError(`${name} is not a backup (no manifest.json there)`).message, EXIT.usage)
}

/** Where to restore to: the configured data directory, or on a fresh machine (no pds.env yet) the one named. */
function restoreTarget(opts: Common): ReturnType<typeof canonicalLayout> {
  const found = findConfig(opts)
  if (found.exists || process.env.PDS_HOSTNAME) {
    const { config, envFile } = loadCliConfig(opts)
    return layoutFromConfig(config, envFile)
  }
  return canonicalLayout(found.dataDirectory)
}
