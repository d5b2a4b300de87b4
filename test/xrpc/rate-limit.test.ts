import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { RateLimiter, type RateLimitRule } from '../../src/xrpc/rate-limit.ts'
import { XRPCError } from '../../src/xrpc/errors.ts'
import type { HandlerContext } from '../../src/xrpc/handler.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

const ctx = (ip: string, did?: string) => ({ ip, auth: did ? { type: 'access', did } : { type: 'none' } }) as unknown as HandlerContext

describe('RateLimiter', () => {
  const perMinute: RateLimitRule = { name: 'test-minute', durationMs: 60_000, points: 3 }
  const perDid: RateLimitRule = {
    name: 'test-did',
    durationMs: 60_000,
    points: 10,
    calcKey: (c) => (c.auth.type === 'access' ? c.auth.did : null),
    calcPoints: () => 4,
  }

  test('counts per key and reports the tightest window', () => {
    const limiter = new RateLimiter({ enabled: true, bypassIps: [] })
    const headers = limiter.consume([perMinute], ctx('1.1.1.1'))
    expect(headers['RateLimit-Limit']).toBe('3')
    expect(headers['RateLimit-Remaining']).toBe('2')
    expect(headers['RateLimit-Policy']).toBe('3;w=60')
    limiter.consume([perMinute], ctx('1.1.1.1'))
    limiter.consume([perMinute], ctx('1.1.1.1'))
    let err: unknown
    try {
      limiter.consume([perMinute], ctx('1.1.1.1'))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(XRPCError)
    expect((err as XRPCError).status).toBe(429)
    expect((err as XRPCError).error).toBe('RateLimitExceeded')
    expect(Number((err as XRPCError).headers?.['Retry-After'])).toBeGreaterThan(0)
    // another IP has its own window
    expect(limiter.consume([perMinute], ctx('2.2.2.2'))['RateLimit-Remaining']).toBe('2')
  })

  test('points per call and DID keys; rules that return null are skipped', () => {
    const limiter = new RateLimiter({ enabled: true, bypassIps: [] })
    expect(limiter.consume([perDid], ctx('1.1.1.1', 'did:plc:a'))['RateLimit-Remaining']).toBe('6')
    expect(limiter.consume([perDid], ctx('9.9.9.9', 'did:plc:a'))['RateLimit-Remaining']).toBe('2')
    expect(() => limiter.consume([perDid], ctx('1.1.1.1', 'did:plc:a'))).toThrow('Rate Limit Exceeded')
    expect(limiter.consume([perDid], ctx('1.1.1.1'))).toEqual({})
  })

  test('tells of each refusal (the rate-limit metric), not of calls let through', () => {
    let refused = 0
    const limiter = new RateLimiter({ enabled: true, bypassIps: [], onRefused: () => refused++ })
    for (let i = 0; i < 3; i++) limiter.consume([perMinute], ctx('2.2.2.2'))
    expect(refused).toBe(0)
    expect(() => limiter.consume([perMinute], ctx('2.2.2.2'))).toThrow('Rate Limit Exceeded')
    expect(() => limiter.consume([perMinute], ctx('2.2.2.2'))).toThrow('Rate Limit Exceeded')
    expect(refused).toBe(2)
  })
})

describe('rate limits on the server', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ PDS_RATE_LIMITS_ENABLED: 'true', PDS_RATE_LIMIT_BYPASS_KEY: 'let-me-in' })
  })
  afterAll(() => server.close())

  test('responses carry RateLimit headers of the global limit', async () => {
    const res = await fetch(`${server.url}/xrpc/com.atproto.server.describeServer`)
    expect(res.headers.get('ratelimit-limit')).toBe('3000')
    expect(res.headers.get('ratelimit-policy')).toBe('3000;w=300')
    expect(Number(res.headers.get('ratelimit-remaining'))).toBeLessThan(3000)
  })

  test('the bypass key skips limits', async () => {
    const res = await fetch(`${server.url}/xrpc/com.atproto.server.describeServer`, { headers: { 'x-ratelimit-bypass': 'let-me-in' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('ratelimit-limit')).toBeNull()
  })
})
