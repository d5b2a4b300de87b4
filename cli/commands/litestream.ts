// `pds litestream-config`: prints (or writes) a litestream.yml for this data directory (README
// "Off-site backups"). The replica location: --to, else the off-site backup bucket under <prefix>/litestream.
import type { Command } from 'commander'
import { chmodSync, renameSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { layoutFromConfig } from '../../src/services/backup/layout.ts'
import { litestreamConfig, replicatedDatabases } from '../../src/services/backup/litestream.ts'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { withConfigOptions, withJsonOption } from '../lib/options.ts'
import { Output, runCommand } from '../lib/output.ts'
import { offsiteSettings, type OffsiteOptions } from './backup-offsite.ts'

export function registerLitestream(program: Command): void {
  withJsonOption(withConfigOptions(program.command('litestream-config')))
    .description('print a litestream.yml replicating every database of the data directory to S3')
    .option('--to <s3://bucket/prefix>', 'where Litestream replicates to (default: the off-site backup location + /litestream)')
    .option('-o, --out <file>', 'write the file there instead of printing it')
    .option('--no-actors', 'only the server-wide databases (Litestream 0.3 costs ~7 file descriptors and ~1 MB per database)')
    .action((opts: OffsiteOptions & { to?: string; out?: string; actors: boolean }) => {
      const out = new Output(opts)
      return runCommand(out, () => {
        const { config, envFile } = loadCliConfig(opts)
        const settings = offsiteSettings(opts, opts.to, false)
        const target = opts.to ? settings.target : { ...settings.target, prefix: [settings.target.prefix, 'litestream'].filter(Boolean).join('/') }
        const wanted = opts.actors ? 'all' : 'server'
        if (config.db.litestream !== wanted) {
          process.stderr.write(`pds: note: set PDS_LITESTREAM=${opts.actors ? 'true' : 'server'} in pds.env so that pds leaves exactly these databases' WAL checkpoints to Litestream\n`)
        }
        const layout = layoutFromConfig(config, envFile)
        const yaml = litestreamConfig({ layout, target, recipient: settings.encryption.recipient, actors: opts.actors })
        const databases = replicatedDatabases(layout, { actors: opts.actors }).length
        if (opts.out) {
          const path = resolve(opts.out)
          writeFileSync(`${path}.tmp`, yaml, { mode: 0o644 })
          chmodSync(`${path}.tmp`, 0o644)
          renameSync(`${path}.tmp`, path)
          out.result({ ok: true, path, databases }, () => `wrote ${path} (${databases} databases)`)
        } else if (opts.json) {
          out.result({ ok: true, databases, yaml }, () => '')
        } else {
          process.stdout.write(yaml)
        }
        if (databases === 0) throw new CliError('no databases in the data directory yet', EXIT.failed)
      })
    })
}
