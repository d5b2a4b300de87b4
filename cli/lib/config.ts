// The configuration operator commands work from: pds.env (in --data-dir, $PDS_DATA_DIRECTORY or
// ./pds-data) under the process environment. Unlike `pds serve`, never generates a setup.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildConfig, ConfigError, type Config } from '../../src/config/config.ts'
import { mergeEnv, readEnvFile } from '../../src/config/env.ts'
import { DEFAULT_DATA_DIRECTORY } from '../../src/config/secrets.ts'
import { CliError, EXIT } from './errors.ts'

export type ConfigOptions = { dataDir?: string; envFile?: string }

export type CliConfig = { config: Config; envFile: string }

export function loadCliConfig(opts: ConfigOptions = {}, processEnv: Record<string, string | undefined> = process.env): CliConfig {
  const dataDirectory = resolve(opts.dataDir ?? processEnv.PDS_DATA_DIRECTORY ?? DEFAULT_DATA_DIRECTORY)
  const envFile = resolve(opts.envFile ?? join(dataDirectory, 'pds.env'))
  const fileEnv = readEnvFile(envFile)
  if (!fileEnv && !processEnv.PDS_HOSTNAME) {
    throw new CliError(`no configuration: ${envFile} does not exist (pass --data-dir, or run \`pds init\`)`, EXIT.config)
  }
  const env = mergeEnv(fileEnv, processEnv)
  // --data-dir names the directory to work on, whatever pds.env says.
  if (opts.dataDir) env.PDS_DATA_DIRECTORY = dataDirectory
  env.PDS_DATA_DIRECTORY ??= dataDirectory
  try {
    return { config: buildConfig(env), envFile }
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`configuration error in ${envFile}: ${err.message}`, EXIT.config)
    throw err
  }
}

/** The data directory a command should use even when there is no pds.env yet (restore). */
export function dataDirectoryFrom(opts: ConfigOptions, processEnv: Record<string, string | undefined> = process.env): string {
  return resolve(opts.dataDir ?? processEnv.PDS_DATA_DIRECTORY ?? DEFAULT_DATA_DIRECTORY)
}

export function envFileExists(opts: ConfigOptions): boolean {
  return existsSync(resolve(opts.envFile ?? join(dataDirectoryFrom(opts), 'pds.env')))
}
