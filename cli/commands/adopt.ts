// `pds adopt --check <dir>`: a dry run of serving a reference PDS's data directory (its distribution's
// /pds) in place. Reports what will be used, what cannot carry over and what stops it, writing nothing.
// There is no conversion step: `pds serve --data-dir <dir>` takes such a directory over as it is.
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildConfig } from '../../src/config/config.ts'
import { discoverConfig, resolveEnv } from '../../src/config/discover.ts'
import { inspectDataDirectory, type AdoptionReport, type DataDirectoryPaths } from '../../src/services/adopt/inspect.ts'
import { dataDirectoryPaths } from '../../src/services/adopt/preflight.ts'
import { readLockHolder } from '../../src/services/data-directory.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { Output, runCommand } from '../lib/output.ts'
import { withJsonOption } from '../lib/options.ts'
import { probeHealth } from '../lib/xrpc-client.ts'

export function registerAdopt(program: Command): void {
  withJsonOption(
    program
      .command('adopt')
      .description("check a reference PDS's data directory before `pds serve` takes it over in place (changes nothing)")
      .argument('<dir>', "the reference PDS's data directory (its pds.env, account.sqlite, actors/, blocks/ …)")
      .option('--check', 'dry run: report what will be used and what cannot carry over (the only mode; serving needs no conversion)'),
  ).action(async (dir: string, options: { check?: boolean; json?: boolean }) => {
    const out = new Output(options)
    await runCommand(out, async () => {
      if (!options.check) throw new CliError('pds adopt only checks (--check); to take the directory over, run `pds serve --data-dir <dir>`', EXIT.usage)
      const { paths, notes, port } = pathsFor(resolve(dir))
      if (port && (await probeHealth(`http://127.0.0.1:${port}`, fetch, 1000))) {
        notes.push(`a server answers on port ${port}: stop the reference PDS (and any pds serve) before switching`)
      }
      const report = { ...inspectDataDirectory(paths), notes }
      out.result(report, () => formatReport(report))
      return report.ok ? EXIT.ok : EXIT.failed
    })
  })
}

/** The directory's own pds.env says where things are; without one, the reference's default layout. */
export function pathsFor(dataDirectory: string): { paths: DataDirectoryPaths; notes: string[]; port?: number } {
  const notes: string[] = []
  const source = discoverConfig({ dataDir: dataDirectory }, { env: {} })
  const holder = readLockHolder(dataDirectory)
  if (holder) notes.push(`pid ${holder.pid} (${holder.command}) last held this directory's lock; stop any server on it before switching`)
  const fallback: DataDirectoryPaths = {
    dataDirectory,
    accountDbLocation: join(dataDirectory, 'account.sqlite'),
    sequencerDbLocation: join(dataDirectory, 'sequencer.sqlite'),
    didCacheDbLocation: join(dataDirectory, 'did_cache.sqlite'),
    actorStoreDirectory: join(dataDirectory, 'actors'),
    blobDirectory: existsSync(join(dataDirectory, 'blocks')) ? join(dataDirectory, 'blocks') : join(dataDirectory, 'blobs'),
  }
  if (!existsSync(source.envFile)) {
    notes.push(`no pds.env in ${dataDirectory}: pds serve needs one (the reference's, unchanged, will do)`)
    return { paths: fallback, notes }
  }
  try {
    const config = buildConfig(resolveEnv(source, {}).env)
    const paths = dataDirectoryPaths(config)
    if (paths.blobDirectory && !existsSync(paths.blobDirectory) && existsSync(join(dataDirectory, 'blocks'))) {
      notes.push(`pds.env's PDS_BLOBSTORE_DISK_LOCATION (${paths.blobDirectory}) does not exist; the blobs seem to be in ${join(dataDirectory, 'blocks')}: edit pds.env`)
    }
    return { paths, notes, port: config.service.port }
  } catch (err) {
    notes.push(`${source.envFile}: ${(err as Error).message}`)
    return { paths: fallback, notes }
  }
}

function formatReport(report: AdoptionReport & { notes: string[] }): string {
  const kinds: Record<AdoptionReport['kind'], string> = {
    reference: "a reference PDS's data directory, not served by pds yet",
    adopted: 'a reference PDS data directory that pds has served (the reference can still start on it)',
    ours: "pds's own data directory",
    empty: 'an empty directory',
    unknown: 'not a PDS data directory',
  }
  const lines = [`${report.dataDirectory}: ${kinds[report.kind]}`]
  const section = (title: string, items: string[]) => {
    if (items.length) lines.push('', title, ...items.map((i) => `  - ${i}`))
  }
  section('Will be used:', report.carriesOver)
  section('Does not carry over:', report.cannotCarryOver)
  section('Notes:', report.notes)
  section('Problems (nothing can be served until they are fixed; nothing was changed):', report.problems)
  if (report.ok) lines.push('', `Ready: stop the reference PDS, then run \`pds serve --data-dir ${report.dataDirectory}\`.`)
  return lines.join('\n')
}
