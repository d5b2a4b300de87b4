// The plc-failing alert on a running server: a PLC directory that answers 503 makes sign-ups fail
// (UpstreamFailure, nothing created) until the PLC breaker opens; then /xrpc/_health and /health say
// "degraded" with the alert (still 200), and sign-ups are refused at once without calling the directory.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let plc: ReturnType<typeof Bun.serve>
let plcCalls = 0
let server: TestServer

beforeAll(async () => {
  plc = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () => {
      plcCalls++
      return new Response('unavailable', { status: 503 })
    },
  })
  server = await startTestServer({ PDS_DID_PLC_URL: `http://127.0.0.1:${plc.port}` })
})
afterAll(async () => {
  await server.close()
  plc.stop(true)
})

const signUp = (n: number) =>
  fetch(`${server.url}/xrpc/com.atproto.server.createAccount`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle: `user${n}.test`, email: `user${n}@example.com`, password: 'a-long-enough-password' }),
  })

test('a failing PLC directory shows as plc-failing on /xrpc/_health and /health, still 200', async () => {
  const healthy = await fetch(`${server.url}/xrpc/_health`)
  expect(healthy.status).toBe(200)
  expect(await healthy.json()).not.toHaveProperty('alerts')

  // Each sign-up fails upstream and creates nothing, until the breaker opens.
  for (let n = 0; n < 5; n++) {
    const res = await signUp(n)
    expect(res.status).toBe(502)
    expect(await res.json()).toEqual({ error: 'UpstreamFailure', message: 'Could not register the DID with the PLC directory: PLC directory answered 503' })
  }
  expect(plcCalls).toBe(5)
  expect(server.services.accounts.getAccount('user0.test', { includeDeactivated: true })).toBeNull()

  for (const path of ['/xrpc/_health', '/health']) {
    const res = await fetch(server.url + path)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status?: string; alerts?: Array<{ id: string; message: string }> }
    expect(body.status).toBe('degraded')
    expect(body.alerts).toEqual([{ id: 'plc-failing', message: 'the PLC directory is failing (5 failures in a row; last error: PLC directory answered 503)' }])
  }

  // Open: the next sign-up is refused without calling the directory.
  const before = plcCalls
  const refused = await signUp(99)
  expect(refused.status).toBe(502)
  expect(((await refused.json()) as { message: string }).message).toContain('circuit open after repeated failures')
  expect(plcCalls).toBe(before)
})
