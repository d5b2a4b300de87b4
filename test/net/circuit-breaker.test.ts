// Circuit breakers (issue 23): the PLC directory and relays that keep failing are left alone for a
// while (calls fail at once, no log line per call), then tried once, and their state shows in
// `pds status`.
import { afterAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { CircuitBreaker, CircuitOpenError } from '../../src/services/net/circuit-breaker.ts'
import { PlcClient, PlcClientError } from '../../src/services/identity/plc-client.ts'
import { Crawlers } from '../../src/services/sequencer/crawlers.ts'
import { Breakers } from '../../src/services/net/circuit-breaker.ts'
import { createLogger } from '../../src/logger.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { collectStatus, formatStatus } from '../../cli/commands/status.ts'

describe('circuit breaker', () => {
  test('opens after the threshold, fails fast while open, lets one trial through when half-open', async () => {
    let now = 0
    const breaker = new CircuitBreaker('upstream', { threshold: 3, openMs: 1000, now: () => now })
    let calls = 0
    const failing = () => (calls++, Promise.reject(new Error('down')))
    for (let i = 0; i < 3; i++) await expect(breaker.run(failing)).rejects.toThrow('down')
    expect(breaker.snapshot()).toMatchObject({ state: 'open', failures: 3, lastError: 'down', retryAt: new Date(1000).toISOString() })
    await expect(breaker.run(failing)).rejects.toBeInstanceOf(CircuitOpenError)
    expect(calls).toBe(3)
    now = 1000
    expect(breaker.state).toBe('half-open')
    await expect(breaker.run(failing)).rejects.toThrow('down') // the trial fails: open again
    expect(breaker.state).toBe('open')
    expect(calls).toBe(4)
    now = 2000
    expect(await breaker.run(async () => 'ok')).toBe('ok')
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0 })
  })

  test('answers that mean the upstream works (a 4xx) do not count', async () => {
    const breaker = new CircuitBreaker('upstream', { threshold: 2 })
    for (let i = 0; i < 5; i++) await expect(breaker.run(() => Promise.reject(new Error('404')), () => false)).rejects.toThrow()
    expect(breaker.state).toBe('closed')
  })
})

describe('upstreams behind breakers', () => {
  let plcHits = 0
  let relayHits = 0
  const plc = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => (plcHits++, new Response('overloaded', { status: 503 })) })
  const relay = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => (relayHits++, Response.json({ error: 'InternalServerError', message: 'relay down' }, { status: 502 })) })
  let server: TestServer | undefined
  afterAll(async () => {
    await server?.close()
    plc.stop(true)
    relay.stop(true)
  })

  test('a PLC directory answering 503 opens the circuit: later calls fail at once without reaching it', async () => {
    const breakers = new Breakers({ threshold: 3, openMs: 60_000 })
    const client = new PlcClient(`http://127.0.0.1:${plc.port}`, 2000, breakers.get('plc directory'))
    for (let i = 0; i < 3; i++) await expect(client.getDocument('did:plc:abc')).rejects.toThrow('PLC directory answered 503')
    const before = plcHits
    const err = await client.getDocument('did:plc:abc').catch((e) => e)
    expect(err).toBeInstanceOf(PlcClientError)
    expect(err.status).toBe(0)
    expect(err.message).toMatch(/circuit open/)
    expect(plcHits).toBe(before)
  })

  test('a failing relay is left alone once its circuit opens', async () => {
    const breakers = new Breakers({ threshold: 2 })
    const crawlers = new Crawlers('pds.example', [`http://127.0.0.1:${relay.port}`], { log: createLogger('silent'), attempts: 4, backoffMs: 1, breakers })
    const outcome = await crawlers.requestCrawlOutcome(`http://127.0.0.1:${relay.port}`)
    expect(outcome.ok).toBe(false)
    expect(relayHits).toBe(2) // the third attempt met an open circuit
    expect(outcome.message).toMatch(/^circuit open: HTTP 502: InternalServerError: relay down/)
    expect(breakers.snapshot()).toEqual([expect.objectContaining({ name: `relay http://127.0.0.1:${relay.port}`, state: 'open', failures: 2 })])
  })

  test('`pds status` shows the server\'s breakers (admin only on the wire)', async () => {
    server = await startTestServer({ PDS_CRAWLERS: `http://127.0.0.1:${relay.port}` })
    // The account's first events make the server notify the relay, which answers 502; more failures are
    // recorded directly rather than waiting out the retry backoff.
    const agent = new AtpAgent({ service: server.url })
    await agent.createAccount({ email: 'a@example.com', handle: 'alice.test', password: 'hunter2hunter2' })
    const relayName = `relay http://127.0.0.1:${relay.port}`
    for (let i = 0; i < 5; i++) server.services.breakers.get(relayName).failed(new Error('HTTP 502: relay down'))
    expect((await fetch(`${server.url}/xrpc/_upstreams`)).status).toBe(401)
    const status = await collectStatus(server.config, { url: server.url })
    expect(status.upstreams).toContainEqual(expect.objectContaining({ name: relayName, state: 'open', lastError: expect.stringContaining('relay down') }))
    expect(status.upstreams).toContainEqual(expect.objectContaining({ name: 'plc directory', state: 'closed' }))
    expect(formatStatus(status)).toContain(`${relayName} OPEN (retry at `)
  })
})
