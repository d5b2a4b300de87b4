// `pds request-crawl [host…]`: ask relays to crawl this PDS now (com.atproto.sync.requestCrawl),
// e.g. after setting it up. Without hosts it uses PDS_CRAWLERS; the server itself also does this
// in the background whenever there are new events.
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildConfig, ConfigError } from '../../src/config/config.ts'
import { loadConfig, DEFAULT_DATA_DIRECTORY } from '../../src/config/secrets.ts'
import { createLogger } from '../../src/logger.ts'
import { Crawlers } from '../../src/services/sequencer/crawlers.ts'

type Options = { dataDir?: string; envFile?: string; hostname?: string; attempts?: string }

export function registerRequestCrawl(program: Command): void {
  program
    .command('request-crawl')
    .argument('[hosts...]', 'relay URLs or hostnames (default: PDS_CRAWLERS)')
    .description('ask relays to crawl this PDS (com.atproto.sync.requestCrawl)')
    .option('-d, --data-dir <dir>', 'data directory (default: $PDS_DATA_DIRECTORY or ./pds-data)')
    .option('-e, --env-file <file>', 'pds.env file to read (default: <data-dir>/pds.env)')
    .option('--hostname <hostname>', 'the hostname to announce (default: PDS_HOSTNAME)')
    .option('--attempts <n>', 'attempts per relay', '3')
    .action(async (hosts: string[], opts: Options) => {
      process.exitCode = await requestCrawl(hosts, opts)
    })
}

export async function requestCrawl(hosts: string[], opts: Options): Promise<number> {
  let hostname = opts.hostname
  let relays = hosts.map(toUrl)
  if (!hostname || relays.length === 0) {
    const config = readConfig(opts)
    if (!config) {
      console.error('pds: no configuration found: pass --hostname and relay hosts, or point --data-dir at a PDS')
      return 78
    }
    hostname ??= config.service.hostname
    if (relays.length === 0) relays = config.crawlers
  }
  if (relays.length === 0) {
    console.error('pds: no relays to notify: pass hosts (e.g. pds request-crawl bsky.network) or set PDS_CRAWLERS')
    return 64
  }
  const crawlers = new Crawlers(hostname, relays, {
    log: createLogger('silent'),
    attempts: Math.max(1, Number(opts.attempts ?? 3) || 1),
  })
  let failed = 0
  for (const relay of relays) {
    const ok = await crawlers.requestCrawl(relay)
    console.log(`${ok ? 'ok    ' : 'failed'} ${relay}`)
    if (!ok) failed++
  }
  return failed > 0 ? 1 : 0
}

/** The server's config, without creating a development setup as `pds serve` would. */
function readConfig(opts: Options) {
  const dataDirectory = resolve(opts.dataDir ?? process.env.PDS_DATA_DIRECTORY ?? DEFAULT_DATA_DIRECTORY)
  const envFile = opts.envFile ?? join(dataDirectory, 'pds.env')
  try {
    if (existsSync(envFile)) return loadConfig({ envFile, dataDirectory }).config
    if (process.env.PDS_HOSTNAME) return buildConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) console.error(`pds: configuration error: ${err.message}`)
    else throw err
  }
  return undefined
}

function toUrl(host: string): string {
  return /^https?:\/\//.test(host) ? host : `https://${host}`
}
