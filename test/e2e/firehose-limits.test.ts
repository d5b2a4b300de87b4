// subscribeRepos connection limits: a total cap and a per-IP cap (X-Forwarded-For from a trusted
// proxy names the client), refused with a RateLimitExceeded error frame and close code 1013.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { subscribeRepos, type Subscription } from '../helpers/firehose.ts'
import { MAX_SUBSCRIBERS_PER_IP, SubscriberLimits } from '../../src/services/sequencer/limits.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const connect = (ip: string) => subscribeRepos(server.port, { headers: { 'x-forwarded-for': ip } })


const stillOpen = async (conn: Subscription) => {
  const result = await Promise.race([conn.closed, Bun.sleep(100).then(() => 'open' as const)])
  return result === 'open'
}

describe('subscriber limits', () => {
  test('the per-IP cap refuses one more subscription with a clear error; other IPs and freed slots work', async () => {
    const mine = await Promise.all(Array.from({ length: MAX_SUBSCRIBERS_PER_IP }, () => connect('203.0.113.7')))
    const extra = await connect('203.0.113.7')
    const closed = await extra.closed
    expect(closed.code).toBe(1013)
    expect(extra.frames).toEqual([
      {
        header: { op: -1 },
        body: { error: 'RateLimitExceeded', message: `Too many subscriptions from 203.0.113.7 (max ${MAX_SUBSCRIBERS_PER_IP})` },
      },
    ])
    const other = await connect('198.51.100.1')
    expect(await stillOpen(other)).toBe(true)
    // Closing one frees its slot.
    mine[0]!.ws.close()
    await mine[0]!.closed
    await Bun.sleep(50)
    const again = await connect('203.0.113.7')
    expect(await stillOpen(again)).toBe(true)
    for (const c of [...mine.slice(1), other, again]) c.ws.close()
    await Promise.all([...mine.slice(1), other, again].map((c) => c.closed))
  })

  test('SubscriberLimits: the total cap, the per-IP cap, and release', () => {
    const limits = new SubscriberLimits(3, 2)
    expect(limits.acquire('a')).toBeNull()
    expect(limits.acquire('a')).toBeNull()
    expect(limits.acquire('a')).toEqual({ error: 'RateLimitExceeded', message: 'Too many subscriptions from a (max 2)' })
    expect(limits.acquire('b')).toBeNull()
    expect(limits.acquire('c')?.message).toBe('Too many subscribers on this server (max 3), try again later')
    expect(limits.count).toBe(3)
    limits.release('a')
    expect(limits.acquire('c')).toBeNull()
    limits.release('zzz') // never counted: no effect
    expect(limits.count).toBe(3)
  })
})
