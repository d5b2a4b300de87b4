// The Security view in headless Chromium: set up an authenticator app with a code computed from the key
// the page shows, the backup codes shown once, signing in again with a code and with a backup code, new
// backup codes, turning it off; wrong codes change nothing; the email sign-in code; passkeys listed and
// removed. The QR code is inline SVG markup (no image request, no CSP violation).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { insertPasskey } from '../../../src/storage/account/factors.ts'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { checkView, csrfOn, fieldError, rawPost, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(90_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

const factorsOf = (did: string) => h.server.services.accounts.factors.status(did)
const backupCodesOn = (page: Page) => page.getByRole('list', { name: 'Backup codes' }).locator('code').allTextContents()

test('authenticator app: set up from the shown key, backup codes once, sign in with a code or a backup code, regenerate, turn off', async () => {
  const tara = await h.signUp('tara')
  const { context, page, consoleErrors, requested } = await h.newContext()
  await signIn(page, 'tara.test', tara.password, '/account/security')
  await page.getByRole('link', { name: 'Security' }).waitFor()
  await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor()
  await checkView(page, 'security')

  await page.getByRole('button', { name: 'Set up authenticator app' }).click()
  await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor()
  // The QR code is markup in the page, not an image fetched from anywhere.
  const qr = page.getByRole('img', { name: 'QR code for your authenticator app' })
  expect(await qr.locator('svg path').count()).toBe(1)
  expect(requested.some((u) => u.includes('qr') || u.startsWith('data:'))).toBe(false)
  const secret = (await page.locator('#totp-secret').textContent())!.trim()
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
  await checkView(page, 'security-totp-setup')

  // Not digits, then a wrong code: said beside the field, the key kept, TOTP still off.
  await page.getByLabel('Code from your app').fill('abc')
  await page.getByRole('button', { name: 'Turn on' }).click()
  expect(await fieldError(page, 'Code from your app')).toBe('Enter the six digits your app shows.')
  const wrong = totpAt(secret, Date.now() + 10 * 60_000)
  await page.getByLabel('Code from your app').fill(wrong)
  await page.getByRole('button', { name: 'Turn on' }).click()
  expect(await fieldError(page, 'Code from your app')).toContain('That code is not right')
  expect((await page.locator('#totp-secret').textContent())!.trim()).toBe(secret)
  expect(factorsOf(tara.did)).toMatchObject({ totp: false, totpPending: true })

  await page.getByLabel('Code from your app').fill(totpAt(secret, Date.now()))
  await page.getByRole('button', { name: 'Turn on' }).click()
  await page.getByRole('heading', { name: 'Your backup codes' }).waitFor()
  const codes = await backupCodesOn(page)
  expect(codes).toHaveLength(10)
  expect(factorsOf(tara.did)).toMatchObject({ totp: true, totpPending: false, backupCodesRemaining: 10 })
  await checkView(page, 'security-backup-codes')
  // Shown once: the page itself no longer lists them, nor the key.
  await page.goto('/account/security')
  expect(await page.getByRole('list', { name: 'Backup codes' }).count()).toBe(0)
  expect(await page.content()).not.toContain(secret)
  await page.getByText('You have 10 unused backup codes.').waitFor()

  // Sign out; signing in now asks for the code. The next step's code (the set-up used this one).
  await page.getByRole('button', { name: 'Sign out' }).first().click()
  await page.waitForURL('**/account/sign-in?notice=signed-out')
  await page.getByLabel('Handle or email').fill('tara.test')
  await page.getByLabel('Password', { exact: true }).fill(tara.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  const codeLabel = 'Code from your authenticator app or email, or a backup code'
  await page.getByLabel(codeLabel).waitFor()
  expect(new URL(page.url()).pathname).toBe('/account/sign-in')
  await page.getByLabel('Password', { exact: true }).fill(tara.password)
  await page.getByLabel(codeLabel).fill(totpAt(secret, Date.now() + 30_000))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'))

  // Again, with a backup code: it works once.
  await page.getByRole('button', { name: 'Sign out' }).first().click()
  await page.waitForURL('**/account/sign-in?notice=signed-out')
  await page.goto('/account/security')
  await page.getByLabel('Handle or email').fill('tara.test')
  await page.getByLabel('Password', { exact: true }).fill(tara.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByLabel(codeLabel).waitFor()
  await page.getByLabel('Password', { exact: true }).fill(tara.password)
  await page.getByLabel(codeLabel).fill(codes[0]!)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/account/security')
  await page.getByText('You have 9 unused backup codes.').waitFor()

  // New backup codes: shown once, the old ones stop working.
  await page.getByRole('button', { name: 'New backup codes' }).click()
  await page.getByRole('heading', { name: 'Your backup codes' }).waitFor()
  const fresh = await backupCodesOn(page)
  expect(fresh).toHaveLength(10)
  expect(fresh.some((c) => codes.includes(c))).toBe(false)
  await expect(h.server.services.accounts.factors.checkSignIn(tara.did, codes[1])).rejects.toThrow()
  expect(factorsOf(tara.did).backupCodesRemaining).toBe(10)

  // Turn it off: signing in asks for nothing more.
  await page.getByRole('button', { name: 'Turn off authenticator app' }).click()
  await page.waitForURL('**/account/security?done=totp-off')
  await page.getByText('The authenticator app was removed').waitFor()
  expect(factorsOf(tara.did)).toMatchObject({ totp: false, totpPending: false, backupCodesRemaining: 0 })
  expect(await h.server.services.accounts.factors.checkSignIn(tara.did, undefined)).toBeNull()
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('changes need the recent password, a right CSRF token and our origin; a refused change changes nothing', async () => {
  const uma = await h.signUp('uma')
  const { context, page } = await h.newContext()
  await signIn(page, 'uma.test', uma.password, '/account/security')
  const token = await csrfOn(page)
  const missing = await rawPost(context, h.server.url, '/account/security/totp/begin', {})
  expect(missing.status).toBe(403)
  const crossSite = await rawPost(context, h.server.url, '/account/security/totp/begin', { csrf_token: token }, { origin: 'https://evil.example' })
  expect(crossSite.status).toBe(403)
  expect(factorsOf(uma.did).totpPending).toBe(false)
  // No set-up in progress: finishing is refused in words.
  const early = await rawPost(context, h.server.url, '/account/security/totp/finish', { csrf_token: token, code: '123456' }, { origin: h.server.url })
  expect(early.status).toBe(400)
  expect(await early.text()).toContain('No set-up is in progress')
  // Backup codes without an authenticator app: refused, nothing made.
  const codes = await rawPost(context, h.server.url, '/account/security/backup-codes', { csrf_token: token }, { origin: h.server.url })
  expect(codes.status).toBe(400)
  expect(await codes.text()).toContain('Backup codes come with an authenticator app')

  // An old sign-in (the password window passed): the change leads to the confirm-password page first.
  const session = h.server.services.accounts.webSessions.list(uma.did)[0]!
  const db = h.server.services.accounts.manager.db
  db.query('UPDATE web_session SET authenticatedAt = 0 WHERE id = ?').run(session.id)
  await page.goto('/account/security')
  await page.getByRole('button', { name: 'Set up authenticator app' }).click()
  await page.waitForURL('**/account/confirm-password**')
  expect(factorsOf(uma.did).totpPending).toBe(false)
  await context.close()
})

test('email sign-in code: only with a confirmed address; on and off', async () => {
  const vic = await h.signUp('vic')
  const { context, page } = await h.newContext()
  await signIn(page, 'vic.test', vic.password, '/account/security')
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'Code by email' }) })
  await card.getByText('Confirm your email address first').waitFor()
  // Forced by hand: the service refuses and says why; it stays off.
  const refused = await rawPost(context, h.server.url, '/account/security/email-code', { csrf_token: await csrfOn(page), on: '1' }, { origin: h.server.url })
  expect(refused.status).toBe(400)
  expect(await refused.text()).toContain('Confirm your email address')
  expect(factorsOf(vic.did).emailAuthFactor).toBe(false)

  await vic.agent.com.atproto.server.requestEmailConfirmation()
  await vic.agent.com.atproto.server.confirmEmail({ email: vic.email, token: await h.smtp.tokenFor(vic.email) })
  await page.goto('/account/security')
  await card.getByRole('button', { name: 'Turn on email codes' }).click()
  await page.waitForURL('**/account/security?done=email-on')
  expect(factorsOf(vic.did).emailAuthFactor).toBe(true)
  await checkView(page, 'security-email-on')
  await card.getByRole('button', { name: 'Turn off email codes' }).click()
  await page.waitForURL('**/account/security?done=email-off')
  expect(factorsOf(vic.did).emailAuthFactor).toBe(false)
  await context.close()
})

test('passkeys are listed and can be removed', async () => {
  const wes = await h.signUp('wes')
  const db = h.server.services.accounts.manager.db
  insertPasskey(db, { id: 'pk-test-1', did: wes.did, name: 'Laptop', publicKey: new Uint8Array([1, 2, 3]), counter: 0, transports: null, createdAt: new Date().toISOString() })
  const { context, page } = await h.newContext()
  await signIn(page, 'wes.test', wes.password, '/account/security')
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'Passkeys', exact: true }) })
  await card.getByText('Laptop').waitFor()
  await card.getByRole('button', { name: 'Remove passkey Laptop' }).click()
  await page.waitForURL('**/account/security?done=passkey-removed')
  await card.getByText('You have no passkeys.').waitFor()
  expect(h.server.services.accounts.factors.passkeys.list(wes.did)).toEqual([])
  await context.close()
})

test('a passkey is added from the page with the browser (a virtual authenticator); without one, nothing is added', async () => {
  const xia = await h.signUp('xia')
  const { context, page, consoleErrors } = await h.newContext({ passkeys: true })
  await signIn(page, 'xia.test', xia.password, '/account/security')
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'Passkeys', exact: true }) })

  // No authenticator answers (the browser's call made to fail on this page): the form goes without one
  // and is refused beside the name. The next page load has the virtual authenticator answering again.
  await page.evaluate(() => {
    // Make the browser's own call fail at once instead of waiting for a user who is not there.
    ;(globalThis as any).navigator.credentials.create = () => Promise.reject(new Error('no authenticator'))
  })
  await card.getByLabel('Passkey name').fill('Phone')
  await card.getByRole('button', { name: 'Add a passkey' }).click()
  await page.waitForURL('**/account/security/passkeys/add')
  expect(await fieldError(page, 'Passkey name')).toContain('did not create a passkey')
  expect(h.server.services.accounts.factors.passkeys.list(xia.did)).toEqual([])

  await page.goto('/account/security')
  await card.getByLabel('Passkey name').fill('Laptop')
  await card.getByRole('button', { name: 'Add a passkey' }).click()
  await page.waitForURL('**/account/security?done=passkey-added')
  await card.getByText('Laptop').waitFor()
  expect(h.server.services.accounts.factors.passkeys.list(xia.did).map((k) => k.name)).toEqual(['Laptop'])
  expect(consoleErrors).toEqual([])
  await context.close()
})
