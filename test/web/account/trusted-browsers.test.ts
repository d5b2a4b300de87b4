// Trusted browsers in headless Chromium: after a code, "Remember this browser for 30 days" skips the
// second factor on that browser only (another browser profile still asks; another account on the same
// browser still asks), on the account app's sign-in and on the OAuth sign-in page alike. Listed in the
// Security view; forgetting one, a password change and the operator's reset-2fa end the skipping.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import type { BrowserContext, Page } from 'playwright-core'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { checkView, signOut, startWebHarness, type WebHarness } from './harness.ts'
import { loopbackOAuthClient } from '../../oauth/node-client.ts'
import { startCallbackApp, type CallbackApp } from '../../oauth/callback-app.ts'

setDefaultTimeout(120_000)

let h: WebHarness
let app: CallbackApp
beforeAll(async () => {
  h = await startWebHarness()
  app = startCallbackApp()
})
afterAll(async () => {
  app?.stop()
  await h?.close()
})

const CODE = 'Code from your authenticator app or email, or a backup code'
const factors = () => h.server.services.accounts.factors

async function withAuthenticatorApp(name: string) {
  const acct = await h.signUp(name)
  const { secret } = factors().beginTotpSetup(acct.did)
  const { backupCodes } = await factors().finishTotpSetup(acct.did, totpAt(secret, Date.now()))
  return { ...acct, codes: [...backupCodes] }
}

/** Password on the account app's sign-in; true when a code was asked for (then given, with `remember`). */
async function signInAsked(page: Page, who: { handle: string; password: string; codes: string[] }, remember = false): Promise<boolean> {
  await page.goto('/account/sign-in')
  await page.getByLabel('Handle or email').fill(who.handle)
  await page.getByLabel('Password', { exact: true }).fill(who.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForLoadState('load')
  if (new URL(page.url()).pathname !== '/account/sign-in') return false
  await page.getByLabel(CODE).fill(who.codes.shift()!)
  await page.getByLabel('Password', { exact: true }).fill(who.password)
  if (remember) await page.getByLabel('Remember this browser for 30 days').check()
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL((u) => u.pathname === '/account')
  return true
}

/** The OAuth sign-in page with the password: true when it asks for a code, false when it goes on to consent. */
async function oauthAsksCode(page: Page, who: { handle: string; password: string }): Promise<boolean> {
  const scope = 'atproto transition:generic'
  const client = loopbackOAuthClient({ redirectUri: app.redirectUri, scope, plcUrl: h.plc.url, pdsUrl: h.server.url })
  await page.goto((await client.authorize(h.server.config.service.publicUrl, { scope, prompt: 'login' })).href)
  await page.getByLabel('Handle or email').fill(who.handle)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('heading', { level: 1 }).filter({ hasText: /Sign in|Authorize access/ }).waitFor()
  const asked = (await page.getByLabel(CODE).count()) > 0
  if (!asked) expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Authorize access')
  return asked
}

const trustCookieOf = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === 'pds_trusted')

test('remembered after a code: that browser skips the code (account app and OAuth page); other browsers and other accounts do not', async () => {
  const tia = await withAuthenticatorApp('tia')
  const uri = await withAuthenticatorApp('uri')
  const a = await h.newContext({ publicOrigin: true })
  const b = await h.newContext({ publicOrigin: true })

  expect(await signInAsked(a.page, tia, true)).toBe(true)
  const cookie = (await trustCookieOf(a.context))!
  expect(cookie).toMatchObject({ path: '/', httpOnly: true, sameSite: 'Lax' })
  expect(cookie.expires * 1000 - Date.now()).toBeGreaterThan(29 * 86_400_000)
  // Only a hash is stored: the cookie's token is nowhere in the table.
  const stored = h.server.services.accounts.manager.db.query<{ id: string }, []>('SELECT id FROM trusted_browser').all()
  expect(stored).toHaveLength(1)
  expect(stored[0]!.id).not.toBe(cookie.value)

  await signOut(a.page)
  expect(await signInAsked(a.page, tia)).toBe(false)
  expect(await oauthAsksCode(a.page, tia)).toBe(false)

  // Another browser profile asks, on both pages; so does another account in the trusted browser.
  expect(await oauthAsksCode(b.page, tia)).toBe(true)
  expect(await signInAsked(b.page, tia)).toBe(true)
  await a.page.goto('/account')
  await signOut(a.page)
  expect(await signInAsked(a.page, uri)).toBe(true)
  // A code without "remember" adds no trust; tia's token stays in the cookie.
  expect(factors().trustedBrowsers.list(uri.did)).toEqual([])
  expect((await trustCookieOf(a.context))!.value).toBe(cookie.value)
  await a.context.close()
  await b.context.close()
})

test('listed in the Security view and forgotten there; a password change and reset-2fa forget every browser', async () => {
  const vee = await withAuthenticatorApp('vee')
  const { context, page, consoleErrors } = await h.newContext({ publicOrigin: true })
  expect(await signInAsked(page, vee, true)).toBe(true)
  await page.goto('/account/security')
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'Trusted browsers' }) })
  await card.getByText('This browser', { exact: true }).waitFor()
  expect(await card.locator('li').count()).toBe(1)
  await checkView(page, 'security-trusted-browsers')
  await card.getByRole('button', { name: 'Forget this trusted browser' }).click()
  await page.waitForURL('**/account/security?done=browser-forgotten')
  await card.getByText('No trusted browsers.').waitFor()
  await signOut(page)
  expect(await signInAsked(page, vee, true)).toBe(true)

  // "Forget all" from the page.
  await page.goto('/account/security')
  await card.getByRole('button', { name: 'Forget all trusted browsers' }).click()
  await page.waitForURL('**/account/security?done=browsers-forgotten')
  expect(factors().trustedBrowsers.list(vee.did)).toEqual([])
  await signOut(page)
  expect(await signInAsked(page, vee, true)).toBe(true)

  // A password change forgets them all.
  await h.server.services.accounts.updateAccountPassword(vee.did, `${vee.password}-2`)
  vee.password = `${vee.password}-2`
  expect(factors().trustedBrowsers.list(vee.did)).toEqual([])
  expect(await signInAsked(page, vee, true)).toBe(true)

  // So does the operator's reset-2fa (which also turns the factor off: no code asked at all then).
  expect(factors().trustedBrowsers.list(vee.did)).toHaveLength(1)
  await factors().resetAll(vee.did)
  expect(factors().trustedBrowsers.list(vee.did)).toEqual([])
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('remembered from the OAuth page\'s code step, the account app skips the code too', async () => {
  const wyn = await withAuthenticatorApp('wyn')
  const { context, page } = await h.newContext({ publicOrigin: true })
  expect(await oauthAsksCode(page, wyn)).toBe(true)
  await checkView(page, 'oauth-code-step')
  await page.getByLabel('Password').fill(wyn.password)
  await page.getByLabel(CODE).fill(wyn.codes.shift()!)
  await page.getByLabel('Remember this browser for 30 days').check()
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('heading', { name: 'Authorize access', level: 1 }).waitFor()
  expect((await trustCookieOf(context))?.path).toBe('/')
  expect(factors().trustedBrowsers.list(wyn.did)).toHaveLength(1)
  expect(await signInAsked(page, wyn)).toBe(false)
  await context.close()
})
