// Fixed-window rate limits shared by every route: several windows per route, keyed by IP or DID.
import type { AuthResult } from './auth.ts'
import { XRPCError } from './errors.ts'

export type RateLimitRule = {
  /** Rules with the same name share their counters (e.g. all repo writes of one DID). */
  name: string
  durationMs: number
  points: number
  /** Defaults to the client IP; return null to skip this rule for the call. */
  calcKey?(call: RateLimitedCall): string | null
  calcPoints?(call: RateLimitedCall): number
}

/** What a rule can key on: an XRPC call's HandlerContext, or only the client elsewhere (OAuth pages). */
export type RateLimitedCall = { ip: string; auth: AuthResult; input?: unknown }

export type RateLimitOptions = { enabled: boolean; bypassKey?: string; bypassIps: string[]; onRefused?: () => void }

type Window = { start: number; used: number; durationMs: number }
type Outcome = { rule: RateLimitRule; window: Window }

export const GLOBAL_RATE_LIMIT: RateLimitRule = { name: 'global-ip', durationMs: 5 * 60_000, points: 3000 }
export const BYPASS_HEADER = 'x-ratelimit-bypass'

export class RateLimiter {
  private windows = new Map<string, Window>()
  private lastSweep = Date.now()

  constructor(private readonly opts: RateLimitOptions) {}

  get enabled() {
    return this.opts.enabled
  }

  isBypassed(req: Request, ip: string): boolean {
    if (this.opts.bypassIps.includes(ip)) return true
    const key = req.headers.get(BYPASS_HEADER)
    return !!key && !!this.opts.bypassKey && key === this.opts.bypassKey
  }

  /** Consumes points on every rule; throws RateLimitExceeded (429) when any window is full. */
  consume(rules: RateLimitRule[], ctx: RateLimitedCall): Record<string, string> {
    const now = Date.now()
    this.sweep(now)
    const outcomes: Outcome[] = []
    for (const rule of rules) {
      const key = rule.calcKey ? rule.calcKey(ctx) : ctx.ip
      if (key === null) continue
      const id = `${rule.name}\u0000${key}`
      let window = this.windows.get(id)
      if (!window || now - window.start >= rule.durationMs) {
        window = { start: now, used: 0, durationMs: rule.durationMs }
        this.windows.set(id, window)
      }
      window.used += rule.calcPoints ? rule.calcPoints(ctx) : 1
      outcomes.push({ rule, window })
    }
    if (outcomes.length === 0) return {}
    const exceeded = outcomes.find((o) => o.window.used > o.rule.points)
    const tightest = exceeded ?? outcomes.reduce((a, b) => (remaining(b) < remaining(a) ? b : a))
    const headers = rateLimitHeaders(tightest)
    if (exceeded) {
      const retryAfter = Math.max(1, Math.ceil((exceeded.window.start + exceeded.rule.durationMs - now) / 1000))
      this.opts.onRefused?.()
      throw new XRPCError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', { ...headers, 'Retry-After': String(retryAfter) })
    }
    return headers
  }

  private sweep(now: number) {
    if (now - this.lastSweep < 60_000) return
    this.lastSweep = now
    for (const [id, w] of this.windows) if (now - w.start >= w.durationMs) this.windows.delete(id)
  }
}

const remaining = (o: Outcome) => Math.max(0, o.rule.points - o.window.used)

function rateLimitHeaders(o: Outcome): Record<string, string> {
  return {
    'RateLimit-Limit': String(o.rule.points),
    'RateLimit-Remaining': String(remaining(o)),
    'RateLimit-Reset': String(Math.floor((o.window.start + o.rule.durationMs) / 1000)),
    'RateLimit-Policy': `${o.rule.points};w=${Math.floor(o.rule.durationMs / 1000)}`,
  }
}
