// The notification queue's worker. Rows are written first (storage, in the caller's transaction), then
// delivered here: a timer wakes for the next due row, failures back off exponentially with jitter
// (a channel's Retry-After wins when longer), a channel's breaker pauses it, and each attempt is
// recorded. A kill -9 leaves undelivered rows queued; the next start sends them. A message whose send
// was under way at the kill is sent again (at least once; email carries a stable Message-ID).
import type { Database } from 'bun:sqlite'
import type { Logger } from '../../logger.ts'
import * as store from '../../storage/account/notifications.ts'
import type { NotificationRow } from '../../storage/account/notifications.ts'
import { Breakers } from './breaker.ts'
import { AddressError, ChannelError, type Channel, type ChannelErrorOptions } from './channel.ts'

export type QueueOptions = {
  retryBaseMs: number
  maxAttempts: number
  breakerThreshold: number
  breakerCooldownMs: number
}

const MAX_BACKOFF_MS = 60 * 60 * 1000
const IDLE_WAKE_MS = 30_000
const BATCH = 20
const PROBE_WAIT_MS = 1000
/** Delivered and failed notifications (and their attempts) are kept this long for history. */
const KEEP_DONE_MS = 30 * 24 * 60 * 60 * 1000
const PRUNE_EVERY_MS = 60 * 60 * 1000

export class NotificationQueue {
  readonly breakers: Breakers
  private readonly inFlight = new Map<number, Promise<void>>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private ticking = false
  private again = false
  private stopped = true
  private prunedAt = 0

  constructor(
    private readonly db: Database,
    private readonly channels: ReadonlyMap<string, Channel>,
    private readonly opts: QueueOptions,
    private readonly log: Logger,
  ) {
    this.breakers = new Breakers(db, { threshold: opts.breakerThreshold, cooldownMs: opts.breakerCooldownMs }, log)
  }

  start() {
    this.stopped = false
    this.kick()
  }

  /** Stops the worker; sends under way finish but record nothing, so their rows stay queued. */
  stop() {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** Wakes the worker now (after an enqueue). */
  kick() {
    if (this.stopped) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), 0)
  }

  /** Tries one queued notification now; resolves when that attempt is over or after `waitMs`. */
  async deliverSoon(id: number, waitMs: number): Promise<void> {
    if (this.stopped) return
    const row = store.getNotification(this.db, id)
    if (!row || row.state !== 'queued') return
    const attempt = this.attempt(row)
    await Promise.race([attempt, Bun.sleep(waitMs)])
  }

  /** Resolves once nothing is due or in flight (tests, `pds notify test`). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs
    while (Date.now() < until) {
      const next = store.nextDueAt(this.db)
      if (this.inFlight.size === 0 && (next === null || next > Date.now())) return
      await Bun.sleep(10)
    }
  }

  private async tick() {
    if (this.ticking) {
      this.again = true
      return
    }
    this.ticking = true
    try {
      if (Date.now() - this.prunedAt > PRUNE_EVERY_MS) {
        this.prunedAt = Date.now()
        store.pruneNotifications(this.db, new Date(Date.now() - KEEP_DONE_MS).toISOString())
      }
      do {
        this.again = false
        const due = store.dueNotifications(this.db, Date.now(), BATCH).filter((row) => !this.inFlight.has(row.id))
        await Promise.all(due.map((row) => this.attempt(row)))
        if (due.length === BATCH) this.again = true
      } while (this.again && !this.stopped)
    } catch (err) {
      this.log.error('notification worker failed', { err: (err as Error).message })
    } finally {
      this.ticking = false
      this.schedule()
    }
  }

  private schedule() {
    if (this.stopped) return
    const next = store.nextDueAt(this.db)
    const delay = next === null ? IDLE_WAKE_MS : Math.min(Math.max(next - Date.now(), 0), IDLE_WAKE_MS)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), delay)
  }

  private attempt(row: NotificationRow): Promise<void> {
    const running = this.inFlight.get(row.id)
    if (running) return running
    // Never rejects: a request awaiting the first attempt must not fail after its token was stored.
    const p = this.run(row)
      .catch((err) => this.log.error('notification attempt could not be recorded', { id: row.id, err: (err as Error).message }))
      .finally(() => this.inFlight.delete(row.id))
    this.inFlight.set(row.id, p)
    return p
  }

  private async run(row: NotificationRow): Promise<void> {
    const channel = this.channels.get(row.channel)
    if (!channel) {
      store.recordAttempt(this.db, row.id, row.channel, { ok: false, error: `channel ${row.channel} is not configured`, retryAt: null })
      return
    }
    if (!this.breakers.allow(row.channel)) {
      // While a probe runs the cooldown is over: wait a little rather than spin.
      store.postponeNotification(this.db, row.id, Math.max(this.breakers.retryAt(row.channel), Date.now() + PROBE_WAIT_MS))
      return
    }
    try {
      await channel.send({ id: row.id, address: row.address, subject: row.subject, text: row.body })
    } catch (err) {
      if (this.stopped) return this.breakers.release(row.channel)
      this.failed(row, err)
      return
    }
    if (this.stopped) return this.breakers.release(row.channel)
    this.breakers.success(row.channel)
    store.recordAttempt(this.db, row.id, row.channel, { ok: true })
  }

  private failed(row: NotificationRow, err: unknown) {
    // A stored address the channel cannot use is the recipient's problem, as a refusal naming it is.
    const opts: ChannelErrorOptions = err instanceof ChannelError ? err.opts : err instanceof AddressError ? { permanent: true, recipient: true } : {}
    const error = err instanceof ChannelError ? err.message : `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`
    // The channel answered: one person's bad chat id must not pause it for everyone.
    if (opts.recipient) this.breakers.success(row.channel)
    else this.breakers.failure(row.channel)
    const attempts = row.attempts + 1
    let retryAt: number | null = null
    if (!opts.permanent && attempts < this.opts.maxAttempts) {
      const backoff = Math.min(this.opts.retryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS) * (0.8 + Math.random() * 0.4)
      retryAt = Math.round(Date.now() + Math.max(backoff, opts.retryAfterMs ?? 0))
    }
    store.recordAttempt(this.db, row.id, row.channel, { ok: false, error: error.slice(0, 500), retryAt })
    // Never the address or the body: webhook URLs hold secrets and bodies hold codes.
    const meta = { id: row.id, kind: row.kind, channel: row.channel, attempt: attempts, error: error.slice(0, 300) }
    if (retryAt === null) this.log.warn('notification could not be delivered; giving up', meta)
    else this.log.info('notification delivery failed; will retry', { ...meta, retryAt: new Date(retryAt).toISOString() })
  }
}
