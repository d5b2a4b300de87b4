// The OAuth sign-in page asks for the second factor after a right password, so OAuth is no way
// around it: password alone → the page asks for a code; password + code → consent → code.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { Browser, csrfOf, loopbackClientId, pkce } from '../oauth/hand-client.ts'
import { newClient, REDIRECT, SCOPE } from '../oauth/flow.ts'
import { totpAt } from '../../src/services/factors/totp.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

test('an account with an authenticator app signs in to OAuth with password and code', async () => {
  const acct = await h.signUp('olive')
  const factors = h.server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(acct.did)
  await factors.finishTotpSetup(acct.did, totpAt(secret, Date.now()))

  const client = await newClient(h.server)
  const clientId = loopbackClientId(REDIRECT, SCOPE)
  const par = await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge, state: 's' })
  const requestUri = par.body.request_uri as string
  const browser = new Browser(h.server.url)
  const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(requestUri)}`)
  expect(page.html).not.toContain('name="code"')
  const signIn = (html: string, extra: Record<string, string>) =>
    browser.post('/oauth/authorize/sign-in', { request_uri: requestUri, csrf_token: csrfOf(html), identifier: acct.handle, password: acct.password, ...extra })

  const asked = await signIn(page.html, {})
  expect(asked.res.status).toBe(401)
  expect(asked.html).toContain('name="code"')
  expect(asked.html).toContain('Enter the code from your authenticator app, or a backup code')

  const wrong = await signIn(asked.html, { code: '000000' })
  expect(wrong.res.status).toBe(401)
  expect(wrong.html).toContain('Token is invalid')

  const ok = await signIn(wrong.html, { code: totpAt(secret, Date.now() + 30_000) })
  expect(ok.res.status).toBe(200)
  expect(ok.html).toContain('/oauth/authorize/accept')
})

test("the account web app's sign-in asks for the code too; the password alone starts no session", async () => {
  const acct = await h.signUp('otto')
  const factors = h.server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(acct.did)
  const { backupCodes } = await factors.finishTotpSetup(acct.did, totpAt(secret, Date.now()))
  const browser = new Browser(h.server.url)
  const page = await browser.get('/account/sign-in')
  expect(page.html).not.toContain('name="code"')
  const signIn = (html: string, extra: Record<string, string>) =>
    browser.post('/account/sign-in', { csrf_token: csrfOf(html), identifier: acct.handle, password: acct.password, ...extra }, { origin: h.server.url })
  const asked = await signIn(page.html, {})
  expect(asked.res.status).toBe(401)
  expect(asked.html).toContain('name="code"')
  expect((await browser.get('/account')).res.headers.get('location')).toContain('/account/sign-in')
  const wrong = await signIn(asked.html, { code: '000000' })
  expect(wrong.res.status).toBe(401)
  expect(wrong.html).toContain('Token is invalid')
  const ok = await signIn(wrong.html, { code: backupCodes[0]! })
  expect(ok.res.status).toBe(303)
  expect((await browser.get('/account')).res.status).toBe(200)
})
