// Gathers what the alert rules (./alerts.ts) look at: the running server's view (HealthMonitor, for
// /xrpc/_health, /metrics and the console) and the CLI's view of a stopped server (offlineAlerts).
import { statfsSync } from 'node:fs'
import type { Config } from '../../config/config.ts'
import type { BreakerSnapshot } from '../net/circuit-breaker.ts'
import type { AppendHealth } from '../sequencer/sequencer.ts'
import type { BreakerRow } from '../../storage/account/notifications.ts'
import { listBackups } from '../backup/schedule.ts'
import { readLastOffsiteUpload } from '../backup/offsite/last-upload.ts'
import { formatS3Url } from '../../config/s3-url.ts'
import { readNotifyStatus } from '../notify/index.ts'
import { evaluateAlerts, type Alert, type AlertInputs } from './alerts.ts'
import type { DiskSyncs } from './disk-syncs.ts'

export { evaluateAlerts, APPVIEW_BREAKER, PLC_BREAKER, type Alert, type AlertId, type AlertInputs } from './alerts.ts'
export { formatSyncMs, measureDiskSyncs, RecentDiskSyncs, type DiskSyncs } from './disk-syncs.ts'

/** Share of the file system holding `dir` in use, as df counts it (blocks reserved for root excluded); null when unknown. */
export function diskUsedPercent(dir: string): number | null {
  try {
    const s = statfsSync(dir)
    const used = Number(s.blocks) - Number(s.bfree)
    const usable = used + Number(s.bavail)
    return usable > 0 ? (used / usable) * 100 : null
  } catch {
    return null
  }
}

/** When the newest complete backup in `root` finished (null: none). Reads every manifest: callers cache it. */
export function lastBackupFinishedAt(root: string): string | null {
  return listBackups(root).at(-1)?.finishedAt ?? null
}

/**
 * When the newest scheduled backup finished: the local folder's, or with only S3 configured (the local
 * copy is staging, removed after upload) the last upload to the configured bucket, from the local note.
 */
export function lastScheduledBackupAt(config: Pick<Config, 'backup' | 'db'>): string | null {
  const backup = config.backup
  if (!backup) return null
  if (backup.local || !backup.offsite) return lastBackupFinishedAt(backup.directory)
  const last = readLastOffsiteUpload(config.db.dataDirectory)
  return last && last.url === formatS3Url(backup.offsite.target) ? last.finishedAt : null
}

/** True when the scheduled backups are only off-site ones (the alert then says so). */
const onlyOffsite = (config: Pick<Config, 'backup'>) => Boolean(config.backup && !config.backup.local && config.backup.offsite)

export type HealthSources = {
  config: Pick<Config, 'backup' | 'alerts' | 'db'>
  firehose: { appendHealth(): AppendHealth }
  breakers: { snapshot(): BreakerSnapshot[] }
  /** The notification queue's breaker rows (the email channel's among them). */
  notifyBreakers: () => BreakerRow[]
  /** The server's recent WAL syncs (null before the first). */
  diskSyncs?: () => DiskSyncs | null
  now?: () => number
}

/** Reading backup manifests is the costly part; a backup a minute late changes nothing. */
const BACKUP_TTL_MS = 60_000

export class HealthMonitor {
  private readonly startedAt: number
  private backupSeen: { at: number; finishedAt: string | null } | null = null

  constructor(private readonly sources: HealthSources) {
    this.startedAt = this.now()
  }

  private now(): number {
    return this.sources.now?.() ?? Date.now()
  }

  /** The current alerts; empty when all is well. Cheap (a statfs, a few small queries) but for the backup listing, cached. */
  alerts(): Alert[] {
    return evaluateAlerts(this.inputs(this.now()))
  }

  /** The newest backup's finish time (cached a minute), for the last-backup-age metric too. */
  lastBackup(): string | null {
    const backup = this.sources.config.backup
    if (!backup) return null
    const now = this.now()
    if (!this.backupSeen || now - this.backupSeen.at >= BACKUP_TTL_MS) this.backupSeen = { at: now, finishedAt: lastScheduledBackupAt(this.sources.config) }
    return this.backupSeen.finishedAt
  }

  private inputs(now: number): AlertInputs {
    const { config } = this.sources
    const used = diskUsedPercent(config.db.dataDirectory)
    const email = this.sources.notifyBreakers().find((b) => b.channel === 'email') ?? null
    return {
      now,
      backup: config.backup ? { intervalMs: config.backup.intervalMs, lastFinishedAt: this.lastBackup(), watchingSince: this.startedAt, offsite: onlyOffsite(config) } : null,
      disk: used === null ? null : { usedPercent: used, thresholdPercent: config.alerts.diskUsedPercent },
      diskSyncs: withThreshold(this.sources.diskSyncs?.() ?? null, config.alerts.diskSyncMs),
      firehose: this.sources.firehose.appendHealth(),
      upstreams: this.sources.breakers.snapshot(),
      email,
    }
  }
}

/**
 * What can be told with the server stopped: a stale backup, a full disk, a paused email channel. (A
 * missing first backup is not flagged here: only the running server knows how long it has waited.)
 */
export function offlineAlerts(config: Pick<Config, 'backup' | 'alerts' | 'db'>, now = Date.now()): Alert[] {
  const used = diskUsedPercent(config.db.dataDirectory)
  const email = readNotifyStatus(config.db.accountDbLocation)?.breakers.find((b) => b.channel === 'email') ?? null
  return evaluateAlerts({
    now,
    backup: config.backup ? { intervalMs: config.backup.intervalMs, lastFinishedAt: lastScheduledBackupAt(config), watchingSince: now, offsite: onlyOffsite(config) } : null,
    disk: used === null ? null : { usedPercent: used, thresholdPercent: config.alerts.diskUsedPercent },
    diskSyncs: null,
    firehose: null,
    upstreams: [],
    email,
  })
}

function withThreshold(syncs: DiskSyncs | null, thresholdMs: number): AlertInputs['diskSyncs'] {
  return syncs && { ...syncs, thresholdMs }
}
