// Signing in and out of the account web app, the overview, CSRF and cross-site refusals, forgot password.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { checkView, csrfOn, fieldError, rawPost, signIn, startWebHarness, type WebHarness } from './harness.ts'

// Browser steps on a shared, busy machine: generous per-test time.
setDefaultTimeout(60_000)

let h: WebHarness
let alice: Awaited<ReturnType<WebHarness['signUp']>>

beforeAll(async () => {
  h = await startWebHarness()
  alice = await h.signUp('alice')
})
afterAll(() => h?.close())

const sessionsOf = (did: string) => h.server.services.accounts.webSessions.list(did)

test('signed out, every page leads to the sign-in page, which comes back after signing in', async () => {
  const { context, page, consoleErrors, requested } = await h.newContext()
  await page.goto('/account/app-passwords')
  expect(new URL(page.url()).pathname).toBe('/account/sign-in')
  await page.getByRole('heading', { name: 'Sign in to your account' }).waitFor()
  await checkView(page, 'sign-in')

  // Empty fields: a message beside each, nothing changed.
  await page.getByRole('button', { name: 'Sign in' }).click()
  // The browser's own required-field check stops the empty form; without it the server says the same.
  await page.locator('form[aria-label="Sign in"]').evaluate((f: any) => f.setAttribute('novalidate', ''))
  await page.getByRole('button', { name: 'Sign in' }).click()
  expect(await fieldError(page, 'Handle or email')).toContain('Enter your handle')
  expect(await fieldError(page, 'Password')).toBe('Enter your password.')

  // A wrong password: said beside the password, the handle kept, no session made.
  await page.getByLabel('Handle or email').fill('alice.test')
  await page.getByLabel('Password', { exact: true }).fill('wrong-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  expect(await fieldError(page, 'Password')).toBe('That handle or email and password do not match.')
  expect(await page.getByLabel('Handle or email').inputValue()).toBe('alice.test')
  expect(sessionsOf(alice.did)).toHaveLength(0)
  await checkView(page, 'sign-in-error')

  await page.getByLabel('Password', { exact: true }).fill(alice.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/account/app-passwords')
  expect(sessionsOf(alice.did)).toHaveLength(1)

  const cookie = (await context.cookies()).find((c) => c.name === 'pds_session')!
  expect(cookie.httpOnly).toBe(true)
  expect(cookie.sameSite).toBe('Lax')
  expect(cookie.path).toBe('/account')
  expect(consoleErrors).toEqual([])
  expect(requested.every((u) => u.startsWith(h.server.url))).toBe(true)
  await context.close()
})

test('the overview shows who the account is, its email, status and data', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await alice.agent.post({ text: 'hello', createdAt: new Date().toISOString() })
  await signIn(page, 'alice@example.com', alice.password)
  expect(new URL(page.url()).pathname).toBe('/account')
  const main = page.locator('main')
  await main.getByText('@alice.test').waitFor()
  await main.getByText(alice.did).waitFor()
  await main.getByRole('button', { name: 'Copy DID' }).waitFor()
  await main.getByText('alice@example.com').waitFor()
  await main.getByText('Not confirmed').waitFor()
  await main.getByText('Active', { exact: true }).waitFor()
  const records = await main.locator('.stat').nth(1).textContent()
  expect(Number(records)).toBe(h.server.services.repo.stats(alice.did)!.records)
  expect(Number(records)).toBeGreaterThan(0)
  await checkView(page, 'overview')

  // Resend the confirmation: a code arrives at the address.
  const before = h.smtp.mails.length
  await main.getByRole('button', { name: 'Send confirmation code' }).click()
  await page.waitForURL('**/account/email?done=confirmation-sent')
  expect(h.smtp.mails.length).toBe(before + 1)
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('sign-in rotates the session; sign-out ends it on the server', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, 'alice.test', alice.password)
  const first = (await context.cookies()).find((c) => c.name === 'pds_session')!.value
  // Signing in again (as after an expired window) gets a new secret and ends the old one.
  await page.goto('/account/sign-in?next=/account/sessions')
  expect(new URL(page.url()).pathname).toBe('/account/sessions')
  const n = sessionsOf(alice.did).length
  await page.getByRole('button', { name: 'Sign out' }).first().click()
  await page.waitForURL('**/account/sign-in?notice=signed-out')
  await page.getByText('You are signed out.').waitFor()
  expect(sessionsOf(alice.did).length).toBe(n - 1)
  // The old cookie is of no use any more.
  const replay = await fetch(`${h.server.url}/account`, { redirect: 'manual', headers: { cookie: `pds_session=${first}` } })
  expect(replay.status).toBe(303)
  expect(replay.headers.get('location')).toStartWith('/account/sign-in')
  await context.close()
})

test('an app password cannot sign in to the account app', async () => {
  const created = await h.server.services.accounts.manager.createAppPassword(alice.did, 'for-sign-in-test', false)
  const { context, page } = await h.newContext()
  await page.goto('/account/sign-in')
  await page.getByLabel('Handle or email').fill('alice.test')
  await page.getByLabel('Password', { exact: true }).fill(created.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  expect(await fieldError(page, 'Password')).toBe('That handle or email and password do not match.')
  h.server.services.accounts.manager.revokeAppPassword(alice.did, 'for-sign-in-test')
  await context.close()
})

test('forms without the right CSRF token, or from another site, are refused and change nothing', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, 'alice.test', alice.password, '/account/sessions')
  const n = sessionsOf(alice.did).length
  const token = await csrfOn(page)
  const missing = await rawPost(context, h.server.url, '/account/sessions/sign-out-others', {})
  expect(missing.status).toBe(403)
  expect(await missing.text()).toContain('This form could not be accepted')
  const wrong = await rawPost(context, h.server.url, '/account/sessions/sign-out-others', { csrf_token: token.slice(1) + 'x' })
  expect(wrong.status).toBe(403)
  const crossSite = await rawPost(context, h.server.url, '/account/sessions/sign-out-others', { csrf_token: token }, { origin: 'https://evil.example' })
  expect(crossSite.status).toBe(403)
  // Signed out (no cookie at all): the sign-in page, nothing done.
  const signedOut = await fetch(`${h.server.url}/account/sessions/sign-out-others`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf_token=${token}` })
  expect(signedOut.status).toBe(303)
  expect(signedOut.headers.get('location')).toStartWith('/account/sign-in')
  expect(sessionsOf(alice.did).length).toBe(n)
  // The sign-in form itself is bound to its pre-session cookie too.
  const forged = await fetch(`${h.server.url}/account/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf_token: 'x', identifier: 'alice.test', password: alice.password }) })
  expect(forged.status).toBe(403)
  expect(forged.headers.getSetCookie().some((c) => c.startsWith('pds_session='))).toBe(false)
  await context.close()
})

test('forgot password: a code by email, then a new password; old sessions end', async () => {
  const bob = await h.signUp('bob')
  const before = await bob.agent.com.atproto.server.getSession()
  expect(before.success).toBe(true)
  const { context, page, consoleErrors } = await h.newContext()
  await page.goto('/account/sign-in')
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await checkView(page, 'forgot-password')
  await page.getByLabel('Email address').fill('not-an-address')
  await page.locator('form[aria-label="Request a reset code"]').evaluate((f: any) => f.setAttribute('novalidate', ''))
  await page.getByRole('button', { name: 'Send code' }).click()
  expect(await fieldError(page, 'Email address')).toContain('Enter an email address')
  await page.getByLabel('Email address').fill(bob.email)
  await page.getByRole('button', { name: 'Send code' }).click()
  await page.waitForURL('**/account/reset-password?sent=1')
  const code = await h.smtp.tokenFor(bob.email)
  await checkView(page, 'reset-password')

  // A wrong code, then too short a password, then mismatched: each said beside its field.
  await page.getByLabel('Code from the email').fill('AAAAA-BBBBB')
  await page.getByLabel('New password', { exact: true }).fill('new-password-1')
  await page.getByLabel('New password again').fill('new-password-1')
  await page.getByRole('button', { name: 'Set password' }).click()
  expect(await fieldError(page, 'Code from the email')).toContain('That code is not right')
  await page.getByLabel('Code from the email').fill(code)
  await page.getByLabel('New password', { exact: true }).fill('short')
  await page.getByLabel('New password again').fill('short')
  await page.getByRole('button', { name: 'Set password' }).click()
  expect(await fieldError(page, 'New password')).toBe('Use at least 8 characters.')
  await page.getByLabel('New password', { exact: true }).fill('new-password-1')
  await page.getByLabel('New password again').fill('new-password-2')
  await page.getByRole('button', { name: 'Set password' }).click()
  expect(await fieldError(page, 'New password again')).toBe('The two passwords are not the same.')
  // Nothing changed so far.
  expect(await h.server.services.accounts.verifyPassword(bob.did, bob.password)).toBe(true)

  await page.getByLabel('New password', { exact: true }).fill('new-password-1')
  await page.getByLabel('New password again').fill('new-password-1')
  await page.getByRole('button', { name: 'Set password' }).click()
  await page.waitForURL('**/account/sign-in?notice=password-reset')
  expect(await h.server.services.accounts.verifyPassword(bob.did, 'new-password-1')).toBe(true)
  // The app session made with the old password is over.
  await expect(bob.agent.com.atproto.server.refreshSession()).rejects.toThrow()
  await signIn(page, 'bob.test', 'new-password-1')
  expect(new URL(page.url()).pathname).toBe('/account')
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('keyboard only: skip link, fields in order, Enter signs in, tabs reachable', async () => {
  const { context, page } = await h.newContext()
  await page.goto('/account/sign-in')
  await page.keyboard.press('Tab')
  expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content')
  await page.keyboard.press('Tab')
  expect(await page.evaluate('document.activeElement.id')).toBe('f-identifier')
  await page.keyboard.type('alice.test')
  await page.keyboard.press('Tab')
  expect(await page.evaluate('document.activeElement.id')).toBe('f-password')
  await page.keyboard.type(alice.password)
  await page.keyboard.press('Enter')
  await page.waitForURL('**/account')
  // From the overview, the tabs are links in order after the header.
  const order: string[] = []
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab')
    order.push(String(await page.evaluate('document.activeElement.textContent')))
  }
  expect(order).toEqual(['Skip to content', 'Your account', 'Sign out', 'Overview', 'Sessions', 'App passwords'])
  await context.close()
})
