// The server's rate limiter (src/xrpc/rate-limit.ts) applied to web routes: the same windows, the same
// bypass rules, keyed by IP (or by the signed-in account where a rule says so).
import type { HandlerContext } from '../../xrpc/handler.ts'
import type { RateLimiter, RateLimitRule } from '../../xrpc/rate-limit.ts'
import { PageProblem } from './errors.ts'

export function consumeWebLimit(limiter: RateLimiter, rules: RateLimitRule[], req: Request, ip: string, did: string | null): void {
  if (!rules.length || !limiter.enabled || limiter.isBypassed(req, ip)) return
  const auth = did ? { type: 'access', did } : { type: 'none' }
  const ctx = { nsid: 'web', params: {}, input: undefined, auth, req, ip } as unknown as HandlerContext
  try {
    limiter.consume(rules, ctx)
  } catch (err) {
    if ((err as { status?: number }).status === 429) throw new PageProblem(429, 'Too many attempts', 'Too many attempts from here. Wait a few minutes and try again.')
    throw err
  }
}
