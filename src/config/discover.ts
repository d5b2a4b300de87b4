// Where the configuration is: the first of --data-dir, $PDS_DATA_DIRECTORY, ./pds.env,
// ./pds-data/pds.env and /pds/pds.env (where the reference PDS's installer puts it). `pds serve` and
// every operator command use this one order and print which one they took on their first line.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { lintEnvFile, mergeEnv, parseEnvFile, type EnvFileProblem, type RawEnv } from './env.ts'

export const DEFAULT_DATA_DIRECTORY = 'pds-data'
export const REFERENCE_ENV_FILE = '/pds/pds.env'

export type ConfigFlags = { dataDir?: string; envFile?: string }

export type ConfigSource = {
  /** The pds.env to read (it may not exist when a flag or $PDS_DATA_DIRECTORY named the directory). */
  envFile: string
  /** The data directory unless pds.env says otherwise (--data-dir always wins). */
  dataDirectory: string
  /** Why this one: shown to the operator. */
  via: string
  /** True when nothing was found and dataDirectory is the ./pds-data fallback. */
  fallback: boolean
  /** --data-dir was given: it overrides PDS_DATA_DIRECTORY in pds.env. */
  forcedDataDirectory: boolean
}

export type DiscoveryContext = { env?: RawEnv; cwd?: string; referenceEnvFile?: string }

export const SEARCH_ORDER = `--data-dir, $PDS_DATA_DIRECTORY, ./pds.env, ./${DEFAULT_DATA_DIRECTORY}/pds.env, ${REFERENCE_ENV_FILE}`

export function discoverConfig(flags: ConfigFlags = {}, ctx: DiscoveryContext = {}): ConfigSource {
  const env = ctx.env ?? process.env
  const cwd = ctx.cwd ?? process.cwd()
  const explicitFile = flags.envFile ? resolve(cwd, flags.envFile) : undefined
  if (flags.dataDir) {
    const dataDirectory = resolve(cwd, flags.dataDir)
    return { envFile: explicitFile ?? join(dataDirectory, 'pds.env'), dataDirectory, via: '--data-dir', fallback: false, forcedDataDirectory: true }
  }
  if (explicitFile) {
    const dataDirectory = env.PDS_DATA_DIRECTORY ? resolve(cwd, env.PDS_DATA_DIRECTORY) : dirname(explicitFile)
    return { envFile: explicitFile, dataDirectory, via: '--env-file', fallback: false, forcedDataDirectory: false }
  }
  if (env.PDS_DATA_DIRECTORY) {
    const dataDirectory = resolve(cwd, env.PDS_DATA_DIRECTORY)
    return { envFile: join(dataDirectory, 'pds.env'), dataDirectory, via: '$PDS_DATA_DIRECTORY', fallback: false, forcedDataDirectory: false }
  }
  const candidates = [
    { envFile: join(cwd, 'pds.env'), via: './pds.env' },
    { envFile: join(cwd, DEFAULT_DATA_DIRECTORY, 'pds.env'), via: `./${DEFAULT_DATA_DIRECTORY}/pds.env` },
    { envFile: ctx.referenceEnvFile ?? REFERENCE_ENV_FILE, via: `${REFERENCE_ENV_FILE}, the reference PDS's location` },
  ]
  for (const c of candidates) {
    if (existsSync(c.envFile)) return { ...c, dataDirectory: dirname(c.envFile), fallback: false, forcedDataDirectory: false }
  }
  const dataDirectory = join(cwd, DEFAULT_DATA_DIRECTORY)
  return { envFile: join(dataDirectory, 'pds.env'), dataDirectory, via: 'nothing found', fallback: true, forcedDataDirectory: false }
}

export type ResolvedEnv = {
  /** pds.env under the process environment, PDS_DATA_DIRECTORY filled in. */
  env: RawEnv
  /** The file's values, or undefined when there is no file. */
  fileEnv: Record<string, string> | undefined
  problems: EnvFileProblem[]
}

/** Reads the source's pds.env (if any) and merges it under the process environment. */
export function resolveEnv(source: ConfigSource, processEnv: RawEnv = process.env): ResolvedEnv {
  const text = existsSync(source.envFile) ? readFileSync(source.envFile, 'utf8') : undefined
  const fileEnv = text === undefined ? undefined : parseEnvFile(text)
  const env = mergeEnv(fileEnv, processEnv)
  if (source.forcedDataDirectory) env.PDS_DATA_DIRECTORY = source.dataDirectory
  env.PDS_DATA_DIRECTORY ??= source.dataDirectory
  return { env, fileEnv, problems: text === undefined ? [] : lintEnvFile(text) }
}

/** "pds: configuration /pds/pds.env (found at /pds/pds.env, the reference PDS's location)" and warnings. */
export function describeSource(source: ConfigSource, resolved: Pick<ResolvedEnv, 'fileEnv' | 'problems'>): string[] {
  const what = resolved.fileEnv ? source.envFile : `from the environment only (no ${source.envFile})`
  const lines = [`pds: configuration ${what} (${source.fallback ? `searched ${SEARCH_ORDER}` : `from ${source.via}`})`]
  for (const p of resolved.problems) lines.push(`pds: warning: ${source.envFile} line ${p.line}: ${p.message}`)
  return lines
}
