// Tells relays (config.crawlers) that this PDS has new events: com.atproto.sync.requestCrawl with
// our hostname, at most once per 20 minutes per host (as the reference's crawlers.ts), in the
// background with retries. Unlike the reference, an update inside the quiet period is not lost:
// a notification is scheduled for when the period ends.
import { xrpcPath } from '../../core/syntax/index.ts'
import type { Logger } from '../../logger.ts'
import type { Breakers } from '../net/circuit-breaker.ts'

export type CrawlersOptions = {
  log: Logger
  minIntervalMs?: number
  attempts?: number
  backoffMs?: number
  timeoutMs?: number
  fetch?: typeof fetch
  /** One breaker per relay: a relay that keeps failing is left alone for a while, without a log line per event. */
  breakers?: Breakers
}

export type CrawlOutcome = { ok: boolean; status?: number; message?: string }

/** An XRPC error body's "error: message", else the start of the body. */
function relayMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: string; message?: string }
    const parts = [json.error, json.message].filter(Boolean)
    if (parts.length) return parts.join(': ')
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200) || '(empty response)'
}

export const NOTIFY_INTERVAL_MS = 20 * 60 * 1000
/** How long a relay whose circuit opened is left alone. */
export const RELAY_OPEN_MS = 5 * 60 * 1000

export class Crawlers {
  private readonly lastNotified = new Map<string, number>()
  private readonly lastOutcomes = new Map<string, CrawlOutcome & { at: number }>()
  private readonly scheduled = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly inFlight = new Set<Promise<boolean>>()
  private stopped = false

  constructor(
    private readonly hostname: string,
    private readonly hosts: string[],
    private readonly opts: CrawlersOptions,
  ) {}

  /** Called on every new event; never blocks and never throws. */
  notifyOfUpdate(): void {
    if (this.stopped) return
    const interval = this.opts.minIntervalMs ?? NOTIFY_INTERVAL_MS
    const now = Date.now()
    for (const host of this.hosts) {
      const last = this.lastNotified.get(host)
      if (last === undefined || now - last >= interval) {
        this.lastNotified.set(host, now)
        this.track(this.requestCrawl(host))
      } else if (!this.scheduled.has(host)) {
        const timer = setTimeout(
          () => {
            this.scheduled.delete(host)
            this.notifyOfUpdate()
          },
          last + interval - now,
        )
        timer.unref?.()
        this.scheduled.set(host, timer)
      }
    }
  }

  /** One requestCrawl to one relay, retried with exponential backoff; true when it was accepted. */
  async requestCrawl(host: string): Promise<boolean> {
    const outcome = await this.requestCrawlOutcome(host)
    this.lastOutcomes.set(host, { ...outcome, at: Date.now() })
    return outcome.ok
  }

  /** Each relay, when it was last asked to crawl and how it answered (the operator's console). */
  status(): Array<{ host: string; lastAskedAt: number | null; lastOutcome: (CrawlOutcome & { at: number }) | null }> {
    return this.hosts.map((host) => ({ host, lastAskedAt: this.lastNotified.get(host) ?? null, lastOutcome: this.lastOutcomes.get(host) ?? null }))
  }

  /** As requestCrawl, with the relay's last answer: its status and error message when it refused. */
  async requestCrawlOutcome(host: string): Promise<CrawlOutcome> {
    const attempts = this.opts.attempts ?? 4
    const backoff = this.opts.backoffMs ?? 1000
    const doFetch = this.opts.fetch ?? fetch
    const url = new URL(xrpcPath('com.atproto.sync.requestCrawl'), host)
    let outcome: CrawlOutcome = { ok: false, message: 'stopped' }
    const breaker = this.opts.breakers?.get(`relay ${host}`, { openMs: RELAY_OPEN_MS, log: this.opts.log })
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      if (breaker?.state === 'open') return { ok: false, message: breaker.snapshot().lastError ? `circuit open: ${breaker.snapshot().lastError}` : 'circuit open' }
      try {
        const res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ hostname: this.hostname }),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        })
        if (res.ok) {
          breaker?.succeeded()
          return { ok: true, status: res.status }
        }
        const text = await res.text().catch(() => '')
        if (res.status >= 500 || res.status === 429) breaker?.failed(new Error(`HTTP ${res.status}: ${relayMessage(text)}`))
        else breaker?.succeeded() // the relay answered: up, just refusing
        outcome = { ok: false, status: res.status, message: relayMessage(text) }
        this.opts.log.warn('requestCrawl refused', {
          host,
          status: res.status,
          body: text.slice(0, 200),
          attempt,
        })
        if (res.status >= 400 && res.status < 500 && res.status !== 429) return outcome
      } catch (err) {
        outcome = { ok: false, message: (err as Error).message }
        breaker?.failed(err)
        this.opts.log.warn('requestCrawl failed', { host, err, attempt })
      }
      if (attempt < attempts) await Bun.sleep(backoff * 4 ** (attempt - 1))
    }
    return outcome
  }

  /** Waits for notifications in flight (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight])
  }

  stop(): void {
    this.stopped = true
    for (const timer of this.scheduled.values()) clearTimeout(timer)
    this.scheduled.clear()
  }

  private track(p: Promise<boolean>) {
    this.inFlight.add(p)
    void p.finally(() => this.inFlight.delete(p))
  }
}
