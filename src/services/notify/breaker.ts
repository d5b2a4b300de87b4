// A circuit breaker per channel: after `threshold` failures in a row the channel pauses for `cooldownMs`
// (its queued messages wait, no attempts are spent), then one message probes it: success closes the
// breaker, failure opens it again. State is persisted (notify_breaker) for `pds status` and restarts.
import type { Database } from 'bun:sqlite'
import type { Logger } from '../../logger.ts'
import { listBreakers, putBreaker, type BreakerRow } from '../../storage/account/notifications.ts'

export type BreakerOptions = { threshold: number; cooldownMs: number }

export class Breakers {
  private readonly rows = new Map<string, BreakerRow>()
  private readonly probing = new Set<string>()

  constructor(
    private readonly db: Database,
    private readonly opts: BreakerOptions,
    private readonly log: Logger,
  ) {
    for (const row of listBreakers(db)) this.rows.set(row.channel, row)
  }

  private get(channel: string): BreakerRow {
    return this.rows.get(channel) ?? { channel, state: 'closed', failures: 0, openedAt: null, retryAt: null }
  }

  private put(row: BreakerRow) {
    this.rows.set(row.channel, row)
    putBreaker(this.db, row)
  }

  /** May a message go out on `channel` now? An open breaker past its cooldown lets one probe through. */
  allow(channel: string, now = Date.now()): boolean {
    const b = this.get(channel)
    if (b.state === 'closed') return true
    if (this.probing.has(channel)) return false
    if (b.state === 'open' && (b.retryAt ?? 0) > now) return false
    this.probing.add(channel)
    if (b.state !== 'half-open') this.put({ ...b, state: 'half-open' })
    return true
  }

  /** Open or probing: messages routed now would wait (routing prefers a working fallback). */
  paused(channel: string): boolean {
    return this.get(channel).state !== 'closed'
  }

  /** When an open breaker will let a probe through (for postponing its queue). */
  retryAt(channel: string): number {
    return this.get(channel).retryAt ?? Date.now() + this.opts.cooldownMs
  }

  success(channel: string) {
    this.probing.delete(channel)
    const b = this.get(channel)
    if (b.state === 'closed' && b.failures === 0) return
    if (b.state !== 'closed') this.log.info('notification channel works again; its circuit breaker is closed', { channel })
    this.put({ channel, state: 'closed', failures: 0, openedAt: null, retryAt: null })
  }

  failure(channel: string, now = Date.now()) {
    const wasProbe = this.probing.delete(channel)
    const b = this.get(channel)
    const failures = b.failures + 1
    if (wasProbe || b.state !== 'closed' || failures >= this.opts.threshold) {
      const retryAt = now + this.opts.cooldownMs
      if (b.state !== 'open') {
        this.log.warn('notification channel keeps failing; its circuit breaker is open and messages wait', {
          channel,
          failures,
          retryAt: new Date(retryAt).toISOString(),
        })
      }
      this.put({ channel, state: 'open', failures, openedAt: b.openedAt ?? new Date(now).toISOString(), retryAt })
    } else {
      this.put({ ...b, failures })
    }
  }

  /** A probe that could not run (stopped server): let the next one try. */
  release(channel: string) {
    this.probing.delete(channel)
  }

  list(): BreakerRow[] {
    return [...this.rows.values()].sort((a, b) => a.channel.localeCompare(b.channel))
  }
}
