// The sessions view: browsers, apps signed in with the password, OAuth apps; revoking each ends its
// tokens on the server, and "sign out everywhere else" ends all but this browser.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { login, newClient, REDIRECT, SCOPE } from '../../oauth/flow.ts'
import { loopbackClientId } from '../../oauth/hand-client.ts'
import { checkView, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
let carol: Awaited<ReturnType<WebHarness['signUp']>>

beforeAll(async () => {
  h = await startWebHarness()
  carol = await h.signUp('carol')
})
afterAll(() => h?.close())

test('every kind of session is listed, and each can be ended', async () => {
  const oauthClient = await newClient(h.server)
  const oauth = await login(h.server, oauthClient, { identifier: carol.handle, password: carol.password })
  const phone = new AtpAgent({ service: h.server.url })
  await phone.login({ identifier: carol.handle, password: carol.password })

  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, carol.handle, carol.password, '/account/sessions')
  const main = page.locator('main')
  await main.getByText('This browser', { exact: true }).waitFor()
  await main.getByText('Account password').first().waitFor()
  // The OAuth app, with what it may do in plain words.
  await main.getByText('Know who you are: your handle and account identifier (DID).').waitFor()
  await checkView(page, 'sessions')

  // Revoke the OAuth app: its access token and refresh token stop working.
  await main.getByRole('button', { name: /^Revoke: / }).click()
  await page.waitForURL('**/account/sessions?done=revoked')
  await page.getByText('That session can no longer be used.').waitFor()
  expect((await oauthClient.resource('/xrpc/com.atproto.server.getSession', oauth.tokens.access_token)).status).toBe(401)
  const refresh = await oauthClient.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: oauth.tokens.refresh_token, client_id: loopbackClientId(REDIRECT, SCOPE) })
  expect(refresh.body.error).toBe('invalid_grant')
  await main.getByText('No apps are connected to your account.').waitFor()

  // Sign out the app using the password: its refresh token is refused.
  const passwordSessions = h.server.services.accounts.listPasswordSessions(carol.did)
  expect(passwordSessions.length).toBeGreaterThanOrEqual(1)
  const n = passwordSessions.length
  await main.getByRole('button', { name: 'Sign out: Account password' }).first().click()
  await page.waitForURL('**/account/sessions?done=revoked')
  expect(h.server.services.accounts.listPasswordSessions(carol.did).length).toBe(n - 1)
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('a password session shows the device, IP and times it was signed in and last refreshed from', async () => {
  const xrpc = (nsid: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${h.server.url}/xrpc/${nsid}`, { method: 'POST', headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
  const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
  // The test talks over loopback, a trusted hop, so X-Forwarded-For names the client as behind a proxy.
  const created = await xrpc('com.atproto.server.createSession', { 'user-agent': firefox, 'x-forwarded-for': '203.0.113.7' }, { identifier: carol.handle, password: carol.password })
  expect(created.status).toBe(200)
  const { refreshJwt } = (await created.json()) as { refreshJwt: string }
  const session = h.server.services.accounts.listPasswordSessions(carol.did).find((p) => p.userAgent === firefox)!
  expect(session).toMatchObject({ ipAddress: '203.0.113.7', userAgent: firefox })
  expect(session.createdAt).toBe(session.lastUsedAt)

  const { context, page } = await h.newContext()
  await signIn(page, carol.handle, carol.password, '/account/sessions')
  const row = page.locator('main li', { hasText: 'IP 203.0.113.7' })
  await row.getByText('Firefox on Linux').waitFor()
  expect(await row.getByText('Firefox on Linux').getAttribute('title')).toBe(firefox)
  await row.getByText(/Signed in .* · last used /).waitFor()

  // Refreshed from the phone app elsewhere: the row follows it, keeping when the session began.
  const app = 'Bluesky/1.90 CFNetwork/1496.0.7 Darwin/23.5.0'
  await Bun.sleep(5)
  const refreshed = await xrpc('com.atproto.server.refreshSession', { authorization: `Bearer ${refreshJwt}`, 'user-agent': app, 'x-forwarded-for': '198.51.100.4' })
  expect(refreshed.status).toBe(200)
  const after = h.server.services.accounts.listPasswordSessions(carol.did).find((p) => p.userAgent === app)!
  expect(after).toMatchObject({ ipAddress: '198.51.100.4', createdAt: session.createdAt })
  expect(Date.parse(after.lastUsedAt!)).toBeGreaterThan(Date.parse(session.createdAt!))
  await page.reload()
  await page.locator('main li', { hasText: 'IP 198.51.100.4' }).getByText('Bluesky', { exact: true }).waitFor()
  expect(await page.locator('main li', { hasText: 'IP 203.0.113.7' }).count()).toBe(0)
  // A bounded user agent: a huge header is cut, not stored whole.
  await xrpc('com.atproto.server.createSession', { 'user-agent': `Tool/1 ${'x'.repeat(5000)}` }, { identifier: carol.handle, password: carol.password })
  const long = h.server.services.accounts.listPasswordSessions(carol.did).find((p) => p.userAgent?.startsWith('Tool/1'))!
  expect(long.userAgent!.length).toBe(300)
  await context.close()
})

test('the session createAccount opens records the device that signed up', async () => {
  const ua = 'Bluesky/1.90 CFNetwork/1496.0.7 Darwin/23.5.0'
  const res = await fetch(`${h.server.url}/xrpc/com.atproto.server.createAccount`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': ua, 'x-forwarded-for': '192.0.2.44' },
    body: JSON.stringify({ handle: 'dana.test', email: 'dana@example.com', password: 'dana-password-long-enough' }),
  })
  expect(res.status).toBe(200)
  const { did } = (await res.json()) as { did: string }
  const [session] = h.server.services.accounts.listPasswordSessions(did)
  expect(session).toMatchObject({ userAgent: ua, ipAddress: '192.0.2.44' })
  expect(session!.createdAt).toBe(session!.lastUsedAt)
})

test('a stale revoke is said plainly and changes nothing', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, carol.handle, carol.password, '/account/sessions')
  const before = h.server.services.accounts.webSessions.list(carol.did).length
  await page.locator('form[action="/account/sessions/sign-out-others"]').evaluate((f: any) => {
    // A revoke form for a session that does not exist (ended elsewhere since the page was shown).
    const form = f.cloneNode(true)
    form.action = '/account/sessions/revoke'
    form.insertAdjacentHTML('beforeend', '<input type="hidden" name="kind" value="browser"><input type="hidden" name="id" value="gone">')
    f.parentNode.appendChild(form)
    form.submit()
  })
  await page.waitForURL('**/account/sessions/revoke')
  await page.getByRole('heading', { name: 'Session not found' }).waitFor()
  expect(h.server.services.accounts.webSessions.list(carol.did).length).toBe(before)
  await checkView(page, 'problem')
  await context.close()
})

test('sign out everywhere else keeps only this browser', async () => {
  const laptop = await h.newContext()
  await signIn(laptop.page, carol.handle, carol.password)
  const phone = new AtpAgent({ service: h.server.url })
  await phone.login({ identifier: carol.handle, password: carol.password })
  await login(h.server, await newClient(h.server), { identifier: carol.handle, password: carol.password })

  const { context, page } = await h.newContext()
  await signIn(page, carol.handle, carol.password, '/account/sessions')
  expect(h.server.services.accounts.webSessions.list(carol.did).length).toBeGreaterThanOrEqual(2)
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click()
  await page.waitForURL('**/account/sessions?done=others')
  expect(h.server.services.accounts.webSessions.list(carol.did)).toHaveLength(1)
  expect(h.server.services.accounts.listPasswordSessions(carol.did)).toHaveLength(0)
  expect(await h.server.services.oauth!.listOAuthSessions(carol.did)).toHaveLength(0)
  await expect(phone.com.atproto.server.refreshSession()).rejects.toThrow()
  // The other browser is back at the sign-in page; this one is still in.
  await laptop.page.goto('/account')
  expect(new URL(laptop.page.url()).pathname).toBe('/account/sign-in')
  await page.goto('/account')
  expect(new URL(page.url()).pathname).toBe('/account')
  await laptop.context.close()
  await context.close()
})

test('a password change, deactivation or takedown ends the web sessions', async () => {
  const dave = await h.signUp('dave')
  const { context, page } = await h.newContext()
  await signIn(page, dave.handle, dave.password)
  expect(h.server.services.accounts.webSessions.list(dave.did)).toHaveLength(1)
  h.server.services.accounts.setTakedown(dave.did, 'takedown-1')
  expect(h.server.services.accounts.webSessions.list(dave.did)).toHaveLength(0)
  await page.goto('/account')
  expect(new URL(page.url()).pathname).toBe('/account/sign-in')
  // Taken down: the password no longer opens the app.
  await page.getByLabel('Handle or email').fill(dave.handle)
  await page.getByLabel('Password', { exact: true }).fill(dave.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('This account has been taken down').waitFor()
  h.server.services.accounts.setTakedown(dave.did, null)

  await signIn(page, dave.handle, dave.password)
  h.server.services.accounts.deactivateAccount(dave.did, null)
  expect(h.server.services.accounts.webSessions.list(dave.did)).toHaveLength(0)
  h.server.services.accounts.activateAccount(dave.did)
  await context.close()
})
