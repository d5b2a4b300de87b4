// The operator's alerts: what makes /xrpc/_health report "degraded" and `pds status` (and the console)
// flag a problem. evaluateAlerts is pure, so the server (which sees its breakers and the firehose) and
// the CLI (which, with the server down, sees only the disk) share one set of rules.
import type { BreakerSnapshot } from '../net/circuit-breaker.ts'
import type { AppendHealth } from '../sequencer/sequencer.ts'
import { formatSyncMs, type DiskSyncs } from './disk-syncs.ts'

export type AlertId = 'backup-stale' | 'disk-full' | 'disk-slow' | 'firehose-append' | 'plc-failing' | 'appview-failing' | 'email-failing'

export type Alert = { id: AlertId; message: string }

/** The breaker names the alerts watch (src/services/accounts builds the PLC one, src/main.ts the AppView's). */
export const PLC_BREAKER = 'plc directory'
export const APPVIEW_BREAKER = 'appview'

export type AlertInputs = {
  now: number
  /** Scheduled backups (config.backup); null when none are configured (no interval, nothing to be late). */
  backup: { intervalMs: number; lastFinishedAt: string | null; watchingSince: number; /** only off-site backups are scheduled */ offsite?: boolean } | null
  /** The data directory's file system: used share in percent, and the alert threshold. */
  disk: { usedPercent: number; thresholdPercent: number } | null
  /** The server's recent WAL syncs and the alert threshold; null when the server is not running. */
  diskSyncs: (DiskSyncs & { thresholdMs: number }) | null
  /** The sequencer's append state; null when the server is not running. */
  firehose: AppendHealth | null
  /** Upstream breakers (PLC directory, AppView); empty when the server is not running. */
  upstreams: BreakerSnapshot[]
  /** The email channel's breaker in the notification queue; null when there is none yet. */
  email: { state: string; failures: number; lastError?: string | null } | null
}

const HOUR = 3_600_000
/** Fewer syncs than this say too little (the first ones after start-up, a quiet server): no disk-slow alert. */
const DISK_SLOW_MIN_SYNCS = 16

export function evaluateAlerts(inputs: AlertInputs): Alert[] {
  const alerts: Alert[] = []
  const { backup, disk, firehose, email } = inputs
  if (backup) {
    const limit = 2 * backup.intervalMs
    const last = backup.lastFinishedAt ? Date.parse(backup.lastFinishedAt) : null
    const what = backup.offsite ? 'off-site backup' : 'backup'
    if (last !== null && inputs.now - last > limit) {
      alerts.push({ id: 'backup-stale', message: `the last ${what} finished ${hours(inputs.now - last)} ago (${backup.lastFinishedAt}); backups are due every ${hours(backup.intervalMs)}` })
    } else if (last === null && inputs.now - backup.watchingSince > limit) {
      alerts.push({ id: 'backup-stale', message: `no ${what} yet, and backups are due every ${hours(backup.intervalMs)}` })
    }
  }
  if (disk && disk.usedPercent > disk.thresholdPercent) {
    alerts.push({ id: 'disk-full', message: `the data disk is ${disk.usedPercent.toFixed(1)}% full (alert above ${disk.thresholdPercent}%)` })
  }
  const syncs = inputs.diskSyncs
  if (syncs && syncs.count >= DISK_SLOW_MIN_SYNCS && syncs.medianMs > syncs.thresholdMs) {
    alerts.push({
      id: 'disk-slow',
      message: `the data disk takes ${formatSyncMs(syncs.medianMs)} to make a write durable (median of the last ${syncs.count} syncs, slowest ${formatSyncMs(syncs.slowestMs)}; alert above ${syncs.thresholdMs} ms): every write waits for one`,
    })
  }
  if (firehose?.failing) {
    const pending = firehose.pendingRepos ? `; ${firehose.pendingRepos} repos wait to be re-announced` : ''
    alerts.push({ id: 'firehose-append', message: `the firehose cannot append events${firehose.since ? ` since ${firehose.since}` : ''}${firehose.lastError ? ` (${firehose.lastError})` : ''}${pending}` })
  }
  for (const [name, id, what] of [
    [PLC_BREAKER, 'plc-failing', 'the PLC directory'],
    [APPVIEW_BREAKER, 'appview-failing', 'the AppView'],
  ] as const) {
    const b = inputs.upstreams.find((u) => u.name === name)
    if (b && b.state !== 'closed') alerts.push({ id, message: `${what} is failing (${b.failures} failures in a row; last error: ${b.lastError ?? 'unknown'})` })
  }
  if (email && (email.state !== 'closed' || email.failures > 0)) {
    const paused = email.state === 'closed' ? '' : ', delivery paused'
    alerts.push({ id: 'email-failing', message: `the SMTP server refuses mail (${email.failures} failures in a row${paused}${email.lastError ? `; last error: ${email.lastError}` : ''})` })
  }
  return alerts
}

function hours(ms: number): string {
  return ms >= 2 * HOUR ? `${Math.round(ms / HOUR)}h` : `${Math.round(ms / 60_000)}m`
}
