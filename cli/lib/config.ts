// The configuration operator commands work from: found in the same order as `pds serve` finds it
// (src/config/discover.ts), under the process environment. Unlike `pds serve`, never generates a setup.
import { existsSync } from 'node:fs'
import { buildConfig, ConfigError, readKeyEncryptionKey, type Config } from '../../src/config/config.ts'
import { KeyFiles } from '../../src/services/repo/keys.ts'
import {
  describeSource,
  discoverConfig,
  resolveEnv,
  SEARCH_ORDER,
  type ConfigFlags,
  type ConfigSource,
  type DiscoveryContext,
} from '../../src/config/discover.ts'
import { CliError, EXIT } from './errors.ts'

/** json/quiet: the "configuration …" line is left out (pds.env warnings are still printed). */
export type ConfigOptions = ConfigFlags & { json?: boolean; quiet?: boolean }

export type CliConfig = { config: Config; envFile: string }

let announced = false

/** Says once per process, on stderr, which configuration the command uses and what is wrong in it. */
function announce(lines: string[]): void {
  if (announced) return
  announced = true
  for (const line of lines) process.stderr.write(`${line}\n`)
}

export function loadCliConfig(opts: ConfigOptions = {}, processEnv: Record<string, string | undefined> = process.env, ctx: DiscoveryContext = {}): CliConfig {
  const source = discoverConfig(opts, { ...ctx, env: processEnv })
  const resolved = resolveEnv(source, processEnv)
  if (!resolved.fileEnv && !processEnv.PDS_HOSTNAME) {
    const where = source.fallback ? `no pds.env found (searched ${SEARCH_ORDER})` : `${source.envFile} does not exist`
    throw new CliError(`no configuration: ${where}; pass --data-dir, or run \`pds init\``, EXIT.config)
  }
  const [first, ...warnings] = describeSource(source, resolved)
  announce(opts.json || opts.quiet ? warnings : [first!, ...warnings])
  try {
    return { config: buildConfig(resolved.env), envFile: source.envFile }
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`configuration error in ${source.envFile}: ${err.message}`, EXIT.config)
    throw err
  }
}

/** Where the configuration would be, and whether a pds.env is there (commands that can run without one). */
export function findConfig(
  opts: ConfigOptions,
  processEnv: Record<string, string | undefined> = process.env,
  ctx: DiscoveryContext = {},
): ConfigSource & { exists: boolean } {
  const source = discoverConfig(opts, { ...ctx, env: processEnv })
  return { ...source, exists: existsSync(source.envFile) }
}

/**
 * Key files opened with the key encryption key of the environment (PDS_KEY_ENCRYPTION_KEY or _FILE),
 * for commands that read keys without a pds.env (backup verify/restore on a fresh host).
 */
export function keyFilesFromEnv(processEnv: Record<string, string | undefined> = process.env): KeyFiles {
  try {
    return new KeyFiles(readKeyEncryptionKey(processEnv)?.sealer)
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.config)
    throw err
  }
}
