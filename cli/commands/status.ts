// `pds status`: is the server up, how many accounts in which state, who uses the disk, last backup.
import type { Command } from 'commander'
import { existsSync, readdirSync, statfsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../../src/config/config.ts'
import type { BreakerSnapshot } from '../../src/services/net/circuit-breaker.ts'
import { layoutFromConfig, listActorDirs, listBackups } from '../../src/services/backup/index.ts'
import { VERSION } from '../../src/version.ts'
import { backupRoot } from './backup.ts'
import { readNotifyStatus, type NotifyStatus } from '../../src/services/notify/index.ts'
import { offlineAlerts, type Alert } from '../../src/services/health/index.ts'
import { formatS3Url } from '../../src/config/s3-url.ts'
import { readLastOffsiteUpload } from '../../src/services/backup/offsite/last-upload.ts'
import { loadCliConfig } from '../lib/config.ts'
import { EXIT } from '../lib/errors.ts'
import { formatBytes, formatTable, Output, runCommand } from '../lib/output.ts'
import { localUrl, probeHealth, XrpcClient } from '../lib/xrpc-client.ts'
import { withServerOptions } from '../lib/options.ts'

export type AccountDisk = { did: string; handle?: string; repoBytes: number; blobBytes: number }

export type StatusReport = {
  cliVersion: string
  hostname: string
  publicUrl: string
  dataDirectory: string
  server: { url: string; reachable: boolean; healthy: boolean; version: string | null }
  /** From com.atproto.sync.listRepos while the server runs; null when it does not answer. */
  accounts: { total: number; active: number; deactivated: number; takendown: number; other: number } | null
  disk: {
    databasesBytes: number
    reposBytes: number
    blobsBytes: number
    freeBytes: number | null
    top: AccountDisk[]
  }
  lastBackup: { name: string; path: string; finishedAt: string; ageHours: number } | null
  /** The newest upload to S3 from this data directory (its local note; the bucket is not asked); null: none. */
  /** The configured off-site prefix (PDS_BACKUP_S3_*, without credentials); null when none is. */
  offsiteBackupUrl: string | null
  lastOffsiteBackup: { name: string; url: string; finishedAt: string; uploadedAt: string; ageHours: number } | null
  /** The notification queue and channel breakers (account.sqlite); null before the first start. */
  notifications: Pick<NotifyStatus, 'queue' | 'breakers' | 'recentFailures'> | null
  /** Circuit breakers of the PLC directory and the relays, from the running server (admin); null when it does not answer. */
  upstreams: BreakerSnapshot[] | null
  /** What needs the operator (src/services/health): the running server's list, else what the disk shows. Empty: all well. */
  alerts: Alert[]
}

export async function collectStatus(config: Config, opts: { url?: string; top?: number; fetchFn?: typeof fetch } = {}): Promise<StatusReport> {
  const url = opts.url ?? localUrl(config)
  const health = await probeHealth(url, opts.fetchFn)
  const layout = layoutFromConfig(config)
  const client = XrpcClient.admin(config, url, opts.fetchFn)
  const accounts = health ? await countAccounts(client).catch(() => null) : null
  const upstreams = health ? await client.query<{ upstreams: BreakerSnapshot[] }>('_upstreams').then((r) => r.upstreams).catch(() => null) : null

  const perAccount: AccountDisk[] = listActorDirs(layout.actorStoreDirectory).map((actor) => ({
    did: actor.did,
    repoBytes: sizeOf(actor.dir),
    blobBytes: layout.blobDirectory ? sizeOf(join(layout.blobDirectory, actor.did)) : 0,
  }))
  perAccount.sort((a, b) => b.repoBytes + b.blobBytes - (a.repoBytes + a.blobBytes))
  const top = perAccount.slice(0, opts.top ?? 10)
  if (health && top.length) await addHandles(client, top)

  const databases = [layout.accountDb, layout.sequencerDb, layout.didCacheDb].flatMap((p) => [p, `${p}-wal`])
  const backups = listBackups(backupRoot(config))
  const last = backups.at(-1)
  const offsite = readLastOffsiteUpload(config.db.dataDirectory)
  const ageHours = (finishedAt: string) => Math.round((Date.now() - Date.parse(finishedAt)) / 36e5)
  return {
    cliVersion: VERSION,
    hostname: config.service.hostname,
    publicUrl: config.service.publicUrl,
    dataDirectory: config.db.dataDirectory,
    server: { url, reachable: health !== null, healthy: health?.status === 200, version: health?.version ?? null },
    accounts,
    disk: {
      databasesBytes: databases.reduce((sum, p) => sum + sizeOf(p), 0),
      reposBytes: perAccount.reduce((sum, a) => sum + a.repoBytes, 0),
      blobsBytes: perAccount.reduce((sum, a) => sum + a.blobBytes, 0),
      freeBytes: freeSpace(config.db.dataDirectory),
      top,
    },
    lastBackup: last
      ? { name: last.name, path: last.path, finishedAt: last.finishedAt, ageHours: ageHours(last.finishedAt) }
      : null,
    offsiteBackupUrl: config.backup?.offsite ? formatS3Url(config.backup.offsite.target) : null,
    lastOffsiteBackup: offsite ? { name: offsite.name, url: offsite.url, finishedAt: offsite.finishedAt, uploadedAt: offsite.uploadedAt, ageHours: ageHours(offsite.finishedAt) } : null,
    notifications: readNotifyStatus(layout.accountDb),
    upstreams,
    alerts: health?.status === 200 ? ((health.alerts ?? []) as Alert[]) : offlineAlerts(config),
  }
}

function formatNotifications(n: NonNullable<StatusReport['notifications']>): string {
  const q = n.queue
  const parts = [`${q.queued} queued${q.oldestQueuedAt ? ` (oldest ${q.oldestQueuedAt})` : ''}, ${q.sent} sent, ${q.failed} failed`]
  for (const b of n.breakers.filter((b) => b.state !== 'closed')) {
    parts.push(`${b.channel} PAUSED: circuit breaker ${b.state} after ${b.failures} failures${b.retryAt ? `, next try ${new Date(b.retryAt).toISOString()}` : ''}`)
  }
  const last = n.recentFailures[0]
  if (last) parts.push(`last failure: ${last.kind} over ${last.channel}: ${last.lastError ?? '?'}`)
  return parts.join('; ')
}

type ListReposPage = { cursor?: string; repos: Array<{ did: string; active?: boolean; status?: string }> }

async function countAccounts(client: XrpcClient): Promise<NonNullable<StatusReport['accounts']>> {
  const counts = { total: 0, active: 0, deactivated: 0, takendown: 0, other: 0 }
  let cursor: string | undefined
  do {
    const page = await client.query<ListReposPage>('com.atproto.sync.listRepos', { limit: 1000, cursor })
    for (const repo of page.repos) {
      counts.total++
      if (repo.active !== false) counts.active++
      else if (repo.status === 'deactivated') counts.deactivated++
      else if (repo.status === 'takendown') counts.takendown++
      else counts.other++
    }
    cursor = page.repos.length ? page.cursor : undefined
  } while (cursor)
  return counts
}

/** Best effort: the admin API names the handles of the biggest accounts. */
async function addHandles(client: XrpcClient, accounts: AccountDisk[]): Promise<void> {
  try {
    const res = await client.query<{ infos: Array<{ did: string; handle: string }> }>('com.atproto.admin.getAccountInfos', { dids: accounts.map((a) => a.did) })
    const handles = new Map(res.infos.map((i) => [i.did, i.handle]))
    for (const account of accounts) account.handle = handles.get(account.did)
  } catch {
    // Older servers or no admin API: DIDs alone are still useful.
  }
}

function sizeOf(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0)
}

function freeSpace(dir: string): number | null {
  try {
    const s = statfsSync(dir)
    return Number(s.bavail) * Number(s.bsize)
  } catch {
    return null
  }
}

export function formatStatus(s: StatusReport): string {
  const server = s.server.reachable
    ? `${s.server.healthy ? (s.alerts.length ? 'up, DEGRADED (see alerts)' : 'up') : 'UNHEALTHY'} at ${s.server.url} (version ${s.server.version ?? '?'})`
    : `NOT RUNNING (nothing answers at ${s.server.url}/xrpc/_health)`
  const a = s.accounts
  const lines = [
    `pds ${s.cliVersion}  ${s.hostname}  (${s.publicUrl})`,
    `server:    ${server}`,
    `accounts:  ${a ? `${a.total} (${a.active} active, ${a.deactivated} deactivated, ${a.takendown} taken down${a.other ? `, ${a.other} other` : ''})` : `${s.disk.top.length ? 'unknown (server not running)' : 'none on disk'}`}`,
    `data:      ${s.dataDirectory}`,
    `disk:      repos ${formatBytes(s.disk.reposBytes)}, blobs ${formatBytes(s.disk.blobsBytes)}, server databases ${formatBytes(s.disk.databasesBytes)}` +
      (s.disk.freeBytes === null ? '' : `, ${formatBytes(s.disk.freeBytes)} free`),
    `notify:    ${s.notifications ? formatNotifications(s.notifications) : 'no queue yet'}`,
    `backup:    ${s.lastBackup ? `${s.lastBackup.finishedAt} (${s.lastBackup.ageHours}h ago) ${s.lastBackup.path}` : 'none yet (pds backup create)'}`,
  ]
  const off = s.lastOffsiteBackup
  if (off || s.offsiteBackupUrl) lines.push(`off-site:  ${off ? `${off.finishedAt} (${off.ageHours}h ago) ${off.url} ${off.name}` : `none yet to ${s.offsiteBackupUrl} (pds backup create --to ${s.offsiteBackupUrl})`}`)
  lines.push(`alerts:    ${s.alerts.length ? s.alerts.map((a) => `${a.id.toUpperCase()}: ${a.message}`).join('\n           ') : 'none'}`)
  if (s.upstreams?.length) {
    const describe = (u: BreakerSnapshot) =>
      u.state === 'closed'
        ? `${u.name} ok${u.failures ? ` (${u.failures} recent failures)` : ''}`
        : `${u.name} ${u.state.toUpperCase()} (${u.state === 'open' ? (u.retryAt ? `retry at ${u.retryAt}` : `${u.failures} failures in a row`) : 'next call is a trial'}; last error: ${u.lastError})`
    lines.push(`upstreams: ${s.upstreams.map(describe).join('\n           ')}`)
  }
  if (s.disk.top.length) {
    lines.push('', formatTable(['ACCOUNT', 'REPO', 'BLOBS'], s.disk.top.map((t) => [t.handle ?? t.did, formatBytes(t.repoBytes), formatBytes(t.blobBytes)])))
  }
  return lines.join('\n')
}

export function registerStatus(program: Command): void {
  withServerOptions(program.command('status'), 'server to ask (default: http://127.0.0.1:<PDS_PORT>)')
    .description('server health, accounts, disk use per account and the last local and off-site backups (exit 69 when the server is down)')
    .option('--top <n>', 'how many accounts to list by disk use', '10')
    .action((opts: { dataDir?: string; envFile?: string; url?: string; top: string; json?: boolean }) => {
      const out = new Output(opts)
      return runCommand(out, async () => {
        const { config } = loadCliConfig(opts)
        const status = await collectStatus(config, { url: opts.url, top: Number(opts.top) || 10 })
        out.result(status, () => formatStatus(status))
        if (!status.server.reachable) return EXIT.unavailable
        return status.server.healthy ? EXIT.ok : EXIT.failed
      })
    })
}
