import type { Command } from 'commander'
import { loadConfig } from '../../src/config/secrets.ts'
import { ConfigError } from '../../src/config/config.ts'
import { startServer } from '../../src/main.ts'

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('start the PDS (with no configuration at all: a development server on localhost:2583, data in ./pds-data)')
    .option('-d, --data-dir <dir>', 'data directory (default: $PDS_DATA_DIRECTORY or ./pds-data)')
    .option('-e, --env-file <file>', 'pds.env file to read (default: <data-dir>/pds.env)')
    .option('-p, --port <port>', 'port to listen on (overrides PDS_PORT)')
    .action(async (opts: { dataDir?: string; envFile?: string; port?: string }) => {
      const env = { ...process.env }
      if (opts.port) env.PDS_PORT = opts.port
      let loaded
      try {
        loaded = loadConfig({ env, envFile: opts.envFile, dataDirectory: opts.dataDir })
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(`pds: configuration error: ${err.message}`)
          process.exit(78)
        }
        throw err
      }
      const { config, envFile, generated } = loaded
      if (generated) {
        console.error(`pds: no configuration found; created a development setup in ${envFile}`)
        console.error(`pds: admin password: ${config.secrets.adminPassword} (stored in that file, mode 0600)`)
      }
      const server = await startServer(config)
      const shutdown = async (signal: string) => {
        console.error(`pds: ${signal} received, shutting down`)
        await server.stop()
        process.exit(0)
      }
      process.once('SIGINT', () => void shutdown('SIGINT'))
      process.once('SIGTERM', () => void shutdown('SIGTERM'))
    })
}
