// `pds request-crawl [host…]`: ask relays to crawl this PDS now (com.atproto.sync.requestCrawl),
// e.g. after setting it up. Without hosts it uses PDS_CRAWLERS; the server itself also does this
// in the background whenever there are new events.
import type { Command } from 'commander'
import { createLogger } from '../../src/logger.ts'
import { Crawlers, type CrawlOutcome } from '../../src/services/sequencer/crawlers.ts'
import { findConfig, loadCliConfig, type ConfigOptions } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { withConfigOptions, withJsonOption } from '../lib/options.ts'
import { Output, runCommand } from '../lib/output.ts'

type Options = ConfigOptions & { hostname?: string; attempts?: string; json?: boolean }

export function registerRequestCrawl(program: Command): void {
  withJsonOption(
    withConfigOptions(
      program
        .command('request-crawl')
        .argument('[hosts...]', 'relay URLs or hostnames (default: PDS_CRAWLERS)')
        .description('ask relays to crawl this PDS (com.atproto.sync.requestCrawl)'),
    )
      .option('--hostname <hostname>', 'the hostname to announce (default: PDS_HOSTNAME)')
      .option('--attempts <n>', 'attempts per relay', '3'),
  ).action((hosts: string[], opts: Options) => {
    const out = new Output(opts)
    return runCommand(out, async () => {
      const results = await requestCrawl(hosts, opts)
      out.result({ ok: results.every((r) => r.ok), relays: results }, () =>
        results.map((r) => (r.ok ? `ok      ${r.relay}` : `refused ${r.relay}: ${r.status ? `${r.status} ` : ''}${r.message ?? ''}`)).join('\n'),
      )
      return results.every((r) => r.ok) ? EXIT.ok : EXIT.failed
    })
  })
}

export type RelayResult = CrawlOutcome & { relay: string }

export async function requestCrawl(hosts: string[], opts: Options): Promise<RelayResult[]> {
  let hostname = opts.hostname
  let relays = hosts.map(toUrl)
  if (!hostname || relays.length === 0) {
    if (!findConfig(opts).exists && !process.env.PDS_HOSTNAME) {
      throw new CliError('no configuration found: pass --hostname and relay hosts, or point --data-dir at a PDS', EXIT.config)
    }
    const { config } = loadCliConfig(opts)
    hostname ??= config.service.hostname
    if (relays.length === 0) relays = config.crawlers
  }
  if (relays.length === 0) throw new CliError('no relays to notify: pass hosts (e.g. pds request-crawl bsky.network) or set PDS_CRAWLERS', EXIT.usage)
  const crawlers = new Crawlers(hostname, relays, { log: createLogger('silent'), attempts: Math.max(1, Number(opts.attempts ?? 3) || 1) })
  const results: RelayResult[] = []
  for (const relay of relays) results.push({ relay, ...(await crawlers.requestCrawlOutcome(relay)) })
  return results
}

function toUrl(host: string): string {
  const url = /^https?:\/\//.test(host) ? host : `https://${host}`
  if (!URL.canParse(url) || /\s/.test(host)) throw new CliError(`${JSON.stringify(host)} is not a relay URL or hostname (e.g. bsky.network)`, EXIT.usage)
  return url
}
