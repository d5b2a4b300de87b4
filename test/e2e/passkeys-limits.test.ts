// Passkey sign-in ceremonies are rate limited per IP (their challenges are kept in memory).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ PDS_RATE_LIMITS_ENABLED: 'true' })
})
afterAll(() => server.close())

test('30 sign-in ceremonies per 5 minutes per IP, then 429 RateLimitExceeded', async () => {
  const login = (body: string) => fetch(`${server.url}/passkeys/login`, { method: 'POST', body })
  // Malformed or oversized bodies are clear errors, not crashes (and count towards the limit).
  for (const body of ['[', '"text"', 'x'.repeat(70_000)]) {
    const res = await login(body)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'InvalidRequest' })
  }
  const options = () => fetch(`${server.url}/passkeys/login/options`, { method: 'POST' })
  for (let i = 0; i < 27; i++) expect((await options()).status).toBe(200)
  const limited = await options()
  expect(limited.status).toBe(429)
  expect(await limited.json()).toMatchObject({ error: 'RateLimitExceeded' })
})
