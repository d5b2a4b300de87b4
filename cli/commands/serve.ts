// `pds serve`: finds the configuration (saying which on its first line), takes the data directory's
// lock, listens, and stops cleanly on SIGINT/SIGTERM however many arrive.
import type { Command } from 'commander'
import { ConfigError } from '../../src/config/config.ts'
import { loadConfig } from '../../src/config/secrets.ts'
import { DataDirectoryRefusedError, IncompleteReferenceSchemaError, NewerReferenceSchemaError } from '../../src/services/adopt/preflight.ts'
import { PortInUseError, startServer, type RunningServer } from '../../src/main.ts'
import { DataDirectoryLockedError } from '../../src/services/data-directory.ts'
import { EXIT, explainSystemError } from '../lib/errors.ts'
import { withConfigOptions } from '../lib/options.ts'
import { describePortOwner } from '../lib/port-owner.ts'

export function registerServe(program: Command) {
  withConfigOptions(program.command('serve'))
    .description('start the PDS (with no configuration anywhere: a development server on 127.0.0.1:2583, data in ./pds-data)')
    .option('-p, --port <port>', 'port to listen on (overrides PDS_PORT)')
    .action(async (opts: { dataDir?: string; envFile?: string; port?: string }) => {
      const env = { ...process.env }
      if (opts.port) env.PDS_PORT = opts.port
      try {
        const { config, envFile, generated, notes } = loadConfig({ env, envFile: opts.envFile, dataDirectory: opts.dataDir })
        for (const line of notes) console.error(line)
        if (generated) console.error(`pds: admin password: ${config.secrets.adminPassword} (stored in that file, mode 0600)`)
        const starting = startServer(config)
        // From here on a signal stops the server cleanly, even one that arrives during startup.
        handleStopSignals(starting)
        await starting
        if (config.service.devMode) console.error(`pds: development server on ${config.service.publicUrl}, reachable from this machine only (${envFile})`)
      } catch (err) {
        const { message, code } = startupFailure(err)
        console.error(`pds: ${message}`)
        process.exit(code)
      }
    })
}

function startupFailure(err: unknown): { message: string; code: number } {
  if (err instanceof ConfigError) return { message: `configuration error: ${err.message}`, code: EXIT.config }
  if (err instanceof DataDirectoryLockedError) return { message: err.message, code: EXIT.refused }
  if (err instanceof DataDirectoryRefusedError || err instanceof NewerReferenceSchemaError || err instanceof IncompleteReferenceSchemaError) {
    return { message: err.message, code: EXIT.refused }
  }
  if (err instanceof PortInUseError) {
    return {
      message: `port ${err.port} is in use by ${describePortOwner(err.port)}; stop it, or pick another port with --port or PDS_PORT`,
      code: EXIT.refused,
    }
  }
  const explained = explainSystemError(err)
  if (explained) return { message: explained, code: EXIT.failed }
  throw err
}

/** Signals closer together than this are one request: Ctrl-C under `npm start` reaches us from the terminal and again from npm. */
const SAME_REQUEST_MS = 300

/**
 * First SIGINT/SIGTERM: graceful stop (requests in flight finish, up to the grace period). Second: said
 * to be in progress. Third: open connections are closed now. Every path closes the databases and removes
 * the .pds-running marker before the process exits; no signal kills it half-way.
 */
export function handleStopSignals(starting: Promise<RunningServer>, exit: (code: number) => void = (code) => process.exit(code)): void {
  let requests = 0
  let last = 0
  const onSignal = (signal: string) => {
    const now = Date.now()
    if (requests > 0 && now - last < SAME_REQUEST_MS) return
    last = now
    requests++
    if (requests === 1) {
      console.error(`pds: ${signal} received, stopping (requests in flight may finish)`)
      starting
        .then((server) => server.stop())
        .then(() => {
          console.error('pds: stopped')
          exit(0)
        })
        .catch(() => {}) // a failed startup exits through the caller's error path
    } else if (requests === 2) {
      console.error(`pds: ${signal} received, still stopping; send it again to close open connections now`)
    } else {
      console.error(`pds: ${signal} received, closing open connections now`)
      starting.then((server) => server.stop({ fast: true })).catch(() => {})
    }
  }
  process.on('SIGINT', () => onSignal('SIGINT'))
  process.on('SIGTERM', () => onSignal('SIGTERM'))
}
