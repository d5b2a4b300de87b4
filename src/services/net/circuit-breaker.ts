// Circuit breakers for the services this server depends on but does not run (the PLC directory, the
// relays): after `threshold` failures in a row the circuit opens and calls fail at once for `openMs`,
// then one trial call is let through (half-open); its success closes the circuit, its failure opens it
// again. An outage upstream then neither stalls requests behind timeouts nor writes a log line per call:
// only the transitions are logged.
import type { Logger } from '../../logger.ts'

export type BreakerState = 'closed' | 'open' | 'half-open'

export type BreakerSnapshot = {
  name: string
  state: BreakerState
  /** Failures in a row. */
  failures: number
  lastError: string | null
  /** When an open circuit lets the next trial call through (ISO time). */
  retryAt: string | null
}

export class CircuitOpenError extends Error {
  constructor(
    readonly breaker: string,
    readonly retryAt: number,
  ) {
    super(`${breaker} is unavailable (circuit open after repeated failures; next try in ${Math.max(0, Math.ceil((retryAt - Date.now()) / 1000))}s)`)
    this.name = 'CircuitOpenError'
  }
}

export type BreakerOptions = {
  threshold?: number
  openMs?: number
  now?: () => number
  log?: Logger
  /**
   * Only watches: told of outcomes (succeeded/failed) but never asked to run a call, so it refuses
   * nothing; open means "failing" until the next success (the AppView: health alerts, not fail-fast).
   */
  passive?: boolean
}

export class CircuitBreaker {
  private failures = 0
  private openedAt: number | null = null
  private trialInFlight = false
  private lastError: string | null = null
  private readonly threshold: number
  private readonly openMs: number
  private readonly now: () => number

  constructor(
    readonly name: string,
    private readonly opts: BreakerOptions = {},
  ) {
    this.threshold = opts.threshold ?? 5
    this.openMs = opts.openMs ?? 30_000
    this.now = opts.now ?? Date.now
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed'
    if (this.opts.passive) return 'open'
    return this.now() - this.openedAt >= this.openMs ? 'half-open' : 'open'
  }

  /**
   * Runs `fn` unless the circuit is open. `isFailure` says which errors count against the upstream
   * (a 4xx answer is the upstream working; a timeout or a 5xx is not).
   */
  async run<T>(fn: () => Promise<T>, isFailure: (err: unknown) => boolean = () => true): Promise<T> {
    const state = this.state
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) throw new CircuitOpenError(this.name, (this.openedAt ?? 0) + this.openMs)
    if (state === 'half-open') this.trialInFlight = true
    try {
      const result = await fn()
      this.succeeded()
      return result
    } catch (err) {
      if (isFailure(err)) this.failed(err)
      else this.succeeded()
      throw err
    } finally {
      if (state === 'half-open') this.trialInFlight = false
    }
  }

  succeeded(): void {
    if (this.openedAt !== null) this.opts.log?.info('upstream recovered; circuit closed', { upstream: this.name })
    this.failures = 0
    this.openedAt = null
  }

  failed(err: unknown): void {
    this.failures++
    this.lastError = err instanceof Error ? err.message : String(err)
    const wasHalfOpen = this.state === 'half-open'
    if (wasHalfOpen || (this.openedAt === null && this.failures >= this.threshold)) {
      this.openedAt = this.now()
      this.opts.log?.warn('upstream failing; circuit open', { upstream: this.name, failures: this.failures, retryInMs: this.openMs, error: this.lastError })
    }
  }

  snapshot(): BreakerSnapshot {
    const state = this.state
    return {
      name: this.name,
      state,
      failures: this.failures,
      lastError: this.lastError,
      retryAt: this.openedAt === null || this.opts.passive ? null : new Date(this.openedAt + this.openMs).toISOString(),
    }
  }
}

/** Every breaker of one server, for `pds status`. */
export class Breakers {
  private readonly all = new Map<string, CircuitBreaker>()

  constructor(private readonly defaults: BreakerOptions = {}) {}

  get(name: string, opts: BreakerOptions = {}): CircuitBreaker {
    let breaker = this.all.get(name)
    if (!breaker) this.all.set(name, (breaker = new CircuitBreaker(name, { ...this.defaults, ...opts })))
    return breaker
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.all.values()].map((b) => b.snapshot())
  }
}
