// The console's server page: what the server is, how big, how healthy, in one read. Totals that need
// every actor store (records, blobs) come from the status page's cache (src/services/health/totals.ts);
// the rest is read each time.
import type { Database } from 'bun:sqlite'
import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import { statfsSync } from 'node:fs'
import type { Config } from '../../config/config.ts'
import type { RecentError } from '../../logger.ts'
import { countAccounts, type AccountCounts } from '../../storage/account/admin-console.ts'
import { listBackups } from '../backup/schedule.ts'
import { listActorDirs, ACTOR_STORE_FILE } from '../backup/layout.ts'
import type { CrawlOutcome } from '../sequencer/crawlers.ts'
import type { FirehosePeer } from '../sequencer/firehose.ts'
import { fileBytes } from './directory.ts'
import { configSummary, type ConfigLine } from './config-summary.ts'
import type { Alert } from '../health/alerts.ts'
import type { RepoTotals } from '../health/totals.ts'
import type { DiskSyncs } from '../health/disk-syncs.ts'

export type OverviewSources = {
  config: Config
  version: string
  startedAt: number
  accountDb: Database
  /** Record and blob totals over every repo (the one cache the status page also reads). */
  repoTotals(): Promise<RepoTotals>
  firehose: {
    headSeq(): number
    subscribers(): number
    /** Open firehose connections: remote IP and connect time. */
    connections(): FirehosePeer[]
    /** When an IP last connected to the firehose (since start), or null. */
    lastConnectedAt(ip: string): number | null
  }
  relays(): Array<{ host: string; lastAskedAt: number | null; lastOutcome: (CrawlOutcome & { at: number }) | null }>
  /** A relay's addresses (default: the system resolver); tests and offline set-ups may pass their own. */
  resolveHost?: (hostname: string) => Promise<string[]>
  recentErrors(): RecentError[]
  /** What the health monitor flags (stale backup, full disk, failing upstreams…). */
  alerts(): Alert[]
  /** The server's recent WAL syncs (null before the first). */
  diskSyncs(): DiskSyncs | null
  now?: () => number
}


export type ServerOverview = {
  version: string
  startedAt: string
  uptimeMs: number
  accounts: AccountCounts
  repos: RepoTotals
  databases: Array<{ name: string; bytes: number | null }>
  disk: { path: string; freeBytes: number; totalBytes: number } | null
  diskSyncs: DiskSyncs | null
  firehose: { headSeq: number; subscribers: number; connections: FirehosePeer[] }
  /** Each relay, with its addresses and when one of them last connected to our firehose. */
  relays: Array<ReturnType<OverviewSources['relays']>[number] & { addresses: string[]; lastConnectedAt: number | null }>
  backup: { directory: string; intervalMs: number; last: { finishedAt: string; ageMs: number; bytes: number; accounts: number } | null } | null
  config: ConfigLine[]
  errors: RecentError[]
  alerts: Alert[]
}

/** Relay addresses are looked up again after this long; a lookup waits at most RESOLVE_TIMEOUT_MS. */
const RELAY_ADDRESSES_TTL_MS = 10 * 60_000
const RESOLVE_TIMEOUT_MS = 2_000

async function systemResolve(hostname: string): Promise<string[]> {
  const found = await dns.lookup(hostname, { all: true })
  return found.map((a) => a.address)
}

export class Overview {
  private readonly relayAddresses = new Map<string, { at: number; addresses: string[] }>()

  constructor(private readonly s: OverviewSources) {}

  private now() {
    return (this.s.now ?? Date.now)()
  }

  /** The IPs a relay's URL names: literal, or resolved (cached; an unresolvable host has none). */
  private async addressesOf(relay: string): Promise<string[]> {
    let hostname: string
    try {
      hostname = new URL(relay).hostname.replace(/^\[(.*)\]$/, '$1')
    } catch {
      return []
    }
    if (isIP(hostname)) return [hostname]
    const cached = this.relayAddresses.get(hostname)
    if (cached && this.now() - cached.at < RELAY_ADDRESSES_TTL_MS) return cached.addresses
    const resolve = this.s.resolveHost ?? systemResolve
    const addresses = await Promise.race([resolve(hostname), Bun.sleep(RESOLVE_TIMEOUT_MS).then(() => [])]).catch(() => [] as string[])
    this.relayAddresses.set(hostname, { at: this.now(), addresses })
    return addresses
  }

  private async relays(): Promise<ServerOverview['relays']> {
    return Promise.all(
      this.s.relays().map(async (relay) => {
        const addresses = await this.addressesOf(relay.host)
        const times = addresses.map((ip) => this.s.firehose.lastConnectedAt(ip)).filter((t) => t !== null)
        return { ...relay, addresses, lastConnectedAt: times.length ? Math.max(...times) : null }
      }),
    )
  }

  private databases(): ServerOverview['databases'] {
    const { db } = this.s.config
    let actors = 0
    for (const dir of listActorDirs(db.actorStoreDirectory)) actors += fileBytes(`${dir.dir}/${ACTOR_STORE_FILE}`) ?? 0
    return [
      { name: 'account.sqlite', bytes: fileBytes(db.accountDbLocation) },
      { name: 'sequencer.sqlite', bytes: fileBytes(db.sequencerDbLocation) },
      { name: 'did_cache.sqlite', bytes: fileBytes(db.didCacheDbLocation) },
      { name: 'actor stores (all)', bytes: actors },
    ]
  }

  private disk(): ServerOverview['disk'] {
    const path = this.s.config.db.dataDirectory
    try {
      const s = statfsSync(path)
      return { path, freeBytes: Number(s.bavail) * Number(s.bsize), totalBytes: Number(s.blocks) * Number(s.bsize) }
    } catch {
      return null
    }
  }

  private backup(): ServerOverview['backup'] {
    const settings = this.s.config.backup
    if (!settings) return null
    const last = listBackups(settings.directory).at(-1)
    return {
      directory: settings.directory,
      intervalMs: settings.intervalMs,
      last: last ? { finishedAt: last.finishedAt, ageMs: this.now() - Date.parse(last.finishedAt), bytes: last.bytes, accounts: last.accounts } : null,
    }
  }

  async read(): Promise<ServerOverview> {
    return {
      version: this.s.version,
      startedAt: new Date(this.s.startedAt).toISOString(),
      uptimeMs: this.now() - this.s.startedAt,
      accounts: countAccounts(this.s.accountDb),
      repos: await this.s.repoTotals(),
      databases: this.databases(),
      disk: this.disk(),
      diskSyncs: this.s.diskSyncs(),
      firehose: { headSeq: this.s.firehose.headSeq(), subscribers: this.s.firehose.subscribers(), connections: this.s.firehose.connections() },
      relays: await this.relays(),
      backup: this.backup(),
      config: configSummary(this.s.config),
      errors: this.s.recentErrors().reverse(),
      alerts: this.s.alerts(),
    }
  }
}
