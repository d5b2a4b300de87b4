// Routes that take a secret are rate limited with the server's limiter: the 31st sign-in attempt from one
// address within five minutes gets a page saying so, and is not tried.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../../helpers/server.ts'
import { Browser, csrfOf } from '../../oauth/hand-client.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ PDS_RATE_LIMITS_ENABLED: 'true' })
})
afterAll(() => server.close())

test('sign-in attempts are limited per IP', async () => {
  const browser = new Browser(server.url)
  const csrf = csrfOf((await browser.get('/account/sign-in')).html)
  // Empty passwords are refused before any password check: the limit counts attempts, not checks.
  for (let i = 0; i < 30; i++) {
    const res = await browser.post('/account/sign-in', { csrf_token: csrf, identifier: 'someone.test', password: '' })
    expect(res.res.status).toBe(400)
  }
  const limited = await browser.post('/account/sign-in', { csrf_token: csrf, identifier: 'someone.test', password: 'guess' })
  expect(limited.res.status).toBe(429)
  expect(limited.html).toContain('Too many attempts from here. Wait a few minutes and try again.')
  // Pages without a secret are not limited by it.
  expect((await browser.get('/account/sign-in')).res.status).toBe(200)
})
