// `pds doctor`: proves the native parts of this binary work on this machine (sharp/libvips
// unpacked and loaded, bun:sqlite usable on a real file) before someone trusts it with data.
import type { Command } from 'commander'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { imageInfo, loadSharp } from '../../src/native/sharp.ts'
import type { DiscoveryContext } from '../../src/config/discover.ts'
import { sqliteSelfTest } from '../../src/services/diagnostics.ts'
import type { Config } from '../../src/config/config.ts'
import { inspectDataDirectory } from '../../src/services/adopt/inspect.ts'
import { dataDirectoryPaths } from '../../src/services/adopt/preflight.ts'
import { findConfig, loadCliConfig, type ConfigOptions } from '../lib/config.ts'
import { withConfigOptions, withJsonOption } from '../lib/options.ts'
import { realNetworkDeps, runNetworkChecks, type NetworkDeps } from '../lib/network-checks.ts'

export interface DoctorCheck {
  name: string
  ok: boolean
  detail: string
  /** 'warn' keeps ok true; absent means pass/fail from ok. */
  status?: 'pass' | 'warn' | 'fail'
  /** What to do about a warning or failure. */
  fix?: string
}

export function registerDoctor(program: Command): void {
  withJsonOption(
    withConfigOptions(
      program
        .command('doctor')
        .description('check that sharp and SQLite work here; with a pds.env, also DNS, TLS, PLC documents, relays, SMTP, disk')
        .option('--image <file>', 'also decode and resize this image file'),
    ),
  ).action(async (options: { image?: string; dataDir?: string; envFile?: string; json?: boolean }) => {
    const checks = await runDoctorChecks(options)
    if (options.json) {
      console.log(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2))
      if (checks.some((check) => !check.ok)) process.exitCode = 1
      return
    }
    console.log(formatDoctorTable(checks))
    if (checks.some((check) => !check.ok)) process.exitCode = 1
  })
}

export async function runDoctorChecks(
  options: ConfigOptions & { image?: string } = {},
  networkDeps: NetworkDeps = realNetworkDeps,
  /** Where to look for pds.env (tests pass an empty directory and environment). */
  discovery: DiscoveryContext = {},
): Promise<DoctorCheck[]> {
  const checks = [await check('sharp', checkSharp), await check('sqlite', checkSqlite)]
  const image = options.image
  if (image) checks.push(await check('image', () => checkImageFile(image)))
  // The machine-level checks need a configuration; without one, doctor checks the binary only.
  const env = discovery.env ?? process.env
  if (options.dataDir || options.envFile || findConfig(options, env, discovery).exists) {
    try {
      const { config, envFile } = loadCliConfig(options, env, discovery)
      checks.push(checkDataDirectory(config))
      for (const c of await runNetworkChecks(config, envFile, networkDeps)) {
        checks.push({ name: c.name, ok: c.status !== 'fail', status: c.status, detail: c.detail, fix: c.fix })
      }
    } catch (err) {
      checks.push({ name: 'config', ok: false, status: 'fail', detail: (err as Error).message })
    }
  }
  return checks
}

export function formatDoctorTable(checks: DoctorCheck[]): string {
  const width = Math.max(5, ...checks.map((c) => c.name.length))
  const label = (c: DoctorCheck) => (c.status === 'warn' ? 'WARN' : c.ok ? 'OK' : 'FAIL')
  const rows = checks.map((c) => `${c.name.padEnd(width)}  ${label(c).padEnd(8)}${c.detail}${c.fix ? ` → ${c.fix}` : ''}`)
  return [`${'CHECK'.padEnd(width)}  ${'STATUS'.padEnd(8)}DETAIL`, ...rows].join('\n')
}

async function check(name: string, run: () => Promise<string> | string): Promise<DoctorCheck> {
  try {
    return { name, ok: true, detail: await run() }
  } catch (err) {
    // Keep the table one line per check; the first line of a native loader error says enough.
    const message = err instanceof Error ? err.message : String(err)
    return { name, ok: false, detail: message.split('\n').slice(0, 3).join(' | ') }
  }
}

/** Encodes a generated PNG, decodes it again and resizes it to JPEG: the blob pipeline's path. */
async function checkSharp(): Promise<string> {
  const sharp = await loadSharp()
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer()
  const jpeg = await sharp(png).resize({ width: 32 }).jpeg().toBuffer()
  const before = await imageInfo(png)
  const after = await imageInfo(jpeg)
  if (after.width !== 32 || after.height !== 24 || after.format !== 'jpeg') {
    throw new Error(`resize produced ${after.width}x${after.height} ${after.format}, expected 32x24 jpeg`)
  }
  return `libvips ${sharp.versions.vips}: resized ${describe(before)} to ${describe(after)}`
}

async function checkImageFile(path: string): Promise<string> {
  const sharp = await loadSharp()
  const info = await imageInfo(path)
  const thumbnail = await sharp(path).resize({ width: 100, height: 100, fit: 'inside' }).webp().toBuffer()
  return `${path}: ${describe(info)}, thumbnail ${describe(await imageInfo(thumbnail))}`
}

/** Opens a WAL database in a temp dir and round-trips a row, like the server's storage does. */
function checkSqlite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pds-doctor-'))
  try {
    const version = sqliteSelfTest(join(dir, 'doctor.sqlite'))
    return `SQLite ${version}: WAL database in ${tmpdir()}`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What the data directory is (ours, a reference PDS's to adopt, one adopted) and whether it can be served. */
function checkDataDirectory(config: Config): DoctorCheck {
  const report = inspectDataDirectory(dataDirectoryPaths(config))
  const kinds = {
    reference: "a reference PDS's data directory: pds serve takes it over in place",
    adopted: 'a reference PDS data directory served by pds (the reference can still start on it)',
    ours: "pds's data directory",
    empty: 'empty: pds serve creates the databases',
    unknown: 'not a PDS data directory',
  }
  const found = `${report.dataDirectory}: ${kinds[report.kind]}`
  const counts = report.kind === 'empty' ? '' : `, ${report.accounts} account(s)${report.lastSeq !== null ? `, firehose at seq ${report.lastSeq}` : ''}`
  if (report.problems.length) {
    return { name: 'data directory', ok: false, status: 'fail', detail: `${found}${counts}; ${report.problems.join('; ')}`, fix: `details: pds adopt --check ${report.dataDirectory}` }
  }
  if (report.cannotCarryOver.length && report.kind === 'reference') {
    return { name: 'data directory', ok: true, status: 'warn', detail: `${found}${counts}; ${report.cannotCarryOver.join('; ')}` }
  }
  return { name: 'data directory', ok: true, status: 'pass', detail: `${found}${counts}` }
}

function describe(info: { width: number; height: number; format: string }): string {
  return `${info.width}x${info.height} ${info.format}`
}
