// OAuth routes are rate limited like XRPC methods (here: password attempts on the sign-in form).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ PDS_RATE_LIMITS_ENABLED: 'true' })
})
afterAll(() => server.close())

test('sign-in attempts are limited per IP (30 per 5 minutes) and answer 429 with Retry-After', async () => {
  const attempt = () =>
    fetch(`${server.url}/oauth/authorize/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'request_uri=x&csrf_token=y&identifier=a&password=b',
    })
  for (let i = 0; i < 30; i++) expect((await attempt()).status).not.toBe(429)
  const limited = await attempt()
  expect(limited.status).toBe(429)
  expect(limited.headers.get('retry-after')).toBeTruthy()
})

test('JSON endpoints answer an OAuth error when limited', async () => {
  let last: Response | undefined
  for (let i = 0; i < 301; i++) last = await fetch(`${server.url}/oauth/par`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
  expect(last!.status).toBe(429)
  expect(((await last!.json()) as any).error).toBe('temporarily_unavailable')
})
