// The console's server page: what the server is, how big, how healthy, in one read. Totals that need
// every actor store (records, blobs) are measured at most once a minute; the rest is read each time.
import type { Database } from 'bun:sqlite'
import { statfsSync } from 'node:fs'
import type { Config } from '../../config/config.ts'
import type { RecentError } from '../../logger.ts'
import { countAccounts, type AccountCounts } from '../../storage/account/admin-console.ts'
import { listBackups } from '../backup/schedule.ts'
import { listActorDirs, ACTOR_STORE_FILE } from '../backup/layout.ts'
import type { CrawlOutcome } from '../sequencer/crawlers.ts'
import { fileBytes } from './directory.ts'
import { configSummary, type ConfigLine } from './config-summary.ts'
import type { Alert } from '../health/alerts.ts'

export type OverviewSources = {
  config: Config
  version: string
  startedAt: number
  accountDb: Database
  /** Record and blob totals of one repo (opens its actor store). */
  repoStats(did: string): { records: number; blobs: number; blobBytes: number } | null
  firehose: { headSeq(): number; subscribers(): number }
  relays(): Array<{ host: string; lastAskedAt: number | null; lastOutcome: (CrawlOutcome & { at: number }) | null }>
  recentErrors(): RecentError[]
  /** What the health monitor flags (stale backup, full disk, failing upstreams…). */
  alerts(): Alert[]
  now?: () => number
}

export type RepoTotals = { records: number; blobs: number; blobBytes: number; measuredAt: number }

export type ServerOverview = {
  version: string
  startedAt: string
  uptimeMs: number
  accounts: AccountCounts
  repos: RepoTotals
  databases: Array<{ name: string; bytes: number | null }>
  disk: { path: string; freeBytes: number; totalBytes: number } | null
  firehose: { headSeq: number; subscribers: number }
  relays: ReturnType<OverviewSources['relays']>
  backup: { directory: string; intervalMs: number; last: { finishedAt: string; ageMs: number; bytes: number; accounts: number } | null } | null
  config: ConfigLine[]
  errors: RecentError[]
  alerts: Alert[]
}

const REPO_TOTALS_TTL_MS = 60_000

/** Records and blobs of one repo without summing its blocks (RepoService.stats reads every block's size). */
export function repoCountsFrom(repo: { hasRepo(did: string): boolean; db(did: string): { countRecords(): number; blobTotals(): { count: number; bytes: number } } }) {
  return (did: string) => {
    if (!repo.hasRepo(did)) return null
    const db = repo.db(did)
    const blobs = db.blobTotals()
    return { records: db.countRecords(), blobs: blobs.count, blobBytes: blobs.bytes }
  }
}

export class Overview {
  private totals: RepoTotals | null = null

  constructor(private readonly s: OverviewSources) {}

  private now() {
    return (this.s.now ?? Date.now)()
  }

  private repoTotals(): RepoTotals {
    if (this.totals && this.now() - this.totals.measuredAt < REPO_TOTALS_TTL_MS) return this.totals
    const sum = { records: 0, blobs: 0, blobBytes: 0, measuredAt: this.now() }
    for (const dir of listActorDirs(this.s.config.db.actorStoreDirectory)) {
      const stats = this.s.repoStats(dir.did)
      if (!stats) continue
      sum.records += stats.records
      sum.blobs += stats.blobs
      sum.blobBytes += stats.blobBytes
    }
    return (this.totals = sum)
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

  read(): ServerOverview {
    return {
      version: this.s.version,
      startedAt: new Date(this.s.startedAt).toISOString(),
      uptimeMs: this.now() - this.s.startedAt,
      accounts: countAccounts(this.s.accountDb),
      repos: this.repoTotals(),
      databases: this.databases(),
      disk: this.disk(),
      firehose: { headSeq: this.s.firehose.headSeq(), subscribers: this.s.firehose.subscribers() },
      relays: this.s.relays(),
      backup: this.backup(),
      config: configSummary(this.s.config),
      errors: this.s.recentErrors().reverse(),
      alerts: this.s.alerts(),
    }
  }
}
