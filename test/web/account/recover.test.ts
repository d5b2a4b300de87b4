// Recovering lost second factors in headless Chromium: from the code step's link, the request mails
// the account's address; the finish link waits for the delay; the cancel link, a passkey sign-in and
// the Security view's button cancel it; once due (the stored date moved, as days passing would), the
// finish link sets a new password and removes every factor.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { addPasskey, checkView, signOut, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(120_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

const factors = () => h.server.services.accounts.factors

/** A link from the newest mail to `to` (quoted-printable soft breaks and =3D undone). */
async function linkIn(to: string, what: 'finish' | 'cancel', count: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const mails = h.smtp.mails.filter((m) => m.to.includes(to) && m.raw.includes('Two-factor recovery requested'))
    if (mails.length >= count) {
      const text = mails.at(-1)!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=')
      const url = new URL(new RegExp(`https?://[^\\s]+/account/recover/${what}\\?token=[A-Za-z0-9_-]+`).exec(text)![0])
      return url.pathname + url.search
    }
    await Bun.sleep(50)
  }
  throw new Error(`no recovery mail to ${to}`)
}

async function requestFromPage(page: Page, handle: string) {
  await page.goto('/account/recover')
  await page.getByLabel('Handle or email').fill(handle)
  await page.getByRole('button', { name: 'Email me a recovery link' }).click()
  await page.getByText('If that account has second factors and an email address').waitFor()
}

test('request, wait, cancel (link, passkey sign-in, Security view), then finish once due', async () => {
  const ria = await h.signUp('ria')
  const { secret } = factors().beginTotpSetup(ria.did)
  await factors().finishTotpSetup(ria.did, totpAt(secret, Date.now()))
  const { context, page, consoleErrors } = await h.newContext({ passkeys: true })

  // The code step leads to the recovery page.
  await page.goto('/account/sign-in')
  await page.getByLabel('Handle or email').fill('ria.test')
  await page.getByLabel('Password', { exact: true }).fill(ria.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('link', { name: 'Lost your authenticator app, backup codes or passkeys?' }).click()
  await page.waitForURL('**/account/recover')
  await checkView(page, 'recover-ask')
  await page.getByLabel('Handle or email').fill('ria.test')
  await page.getByRole('button', { name: 'Email me a recovery link' }).click()
  await page.getByText('If that account has second factors and an email address').waitFor()
  // An unknown account gets the same answer and no mail.
  const before = h.smtp.mails.length
  await requestFromPage(page, 'nobody.test')
  expect(h.smtp.mails.length).toBe(before)

  // Too early: the finish link says when.
  const finish = await linkIn(ria.email, 'finish', 1)
  const early = await page.goto(finish)
  expect(early!.status()).toBe(409)
  await page.getByRole('heading', { name: 'Not yet' }).waitFor()
  await checkView(page, 'recover-not-yet')

  // The cancel link cancels.
  await page.goto(await linkIn(ria.email, 'cancel', 1))
  await page.getByRole('button', { name: 'Cancel the recovery' }).click()
  await page.getByText('The recovery is cancelled').waitFor()
  expect(factors().recovery.pending(ria.did)).toBeNull()
  expect((await page.goto(finish))!.status()).toBe(404)

  // Signed in (code), with a passkey added; a new request shows in the Security view and is cancelled there.
  await page.goto('/account/sign-in')
  await page.getByLabel('Handle or email').fill('ria.test')
  await page.getByLabel('Password', { exact: true }).fill(ria.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByLabel('Password', { exact: true }).fill(ria.password)
  await page.getByLabel('Code from your authenticator app or email, or a backup code').fill(totpAt(secret, Date.now() + 30_000))
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL((u) => u.pathname === '/account')
  await addPasskey(page, 'Laptop')
  await factors().requestRecovery(ria.did)
  await page.goto('/account/security')
  const notice = page.locator('section', { has: page.getByRole('heading', { name: 'Recovery requested' }) })
  await notice.getByText('Someone asked (by email) to remove your second factors.').waitFor()
  await checkView(page, 'security-recovery-pending')
  await notice.getByRole('button', { name: 'Cancel the recovery' }).click()
  await page.waitForURL('**/account/security?done=recovery-cancelled')
  expect(factors().recovery.pending(ria.did)).toBeNull()

  // Signing in with the passkey cancels a pending one, and the mail says why.
  await factors().requestRecovery(ria.did)
  await signOut(page)
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.waitForURL((u) => u.pathname === '/account')
  expect(factors().recovery.pending(ria.did)).toBeNull()
  expect(h.smtp.mails.findLast((m) => m.to.includes(ria.email))!.raw).toContain('which cancels it')
  await signOut(page)

  // Once due: a new password, every factor gone, signed in with the password alone.
  await requestFromPage(page, 'ria@example.com')
  const due = await linkIn(ria.email, 'finish', 4)
  h.server.services.accounts.manager.db.query('UPDATE factor_recovery SET dueAt = 0 WHERE did = ?').run(ria.did)
  await page.goto(due)
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor()
  await checkView(page, 'recover-finish')
  await page.getByLabel('New password', { exact: true }).fill('a brand new password')
  await page.getByLabel('New password again').fill('a brand new password')
  await page.getByRole('button', { name: 'Remove my second factors' }).click()
  await page.waitForURL('**/account/sign-in?notice=recovered')
  expect(factors().status(ria.did)).toEqual({ emailAuthFactor: false, totp: false, totpPending: false, backupCodesRemaining: 0, passkeys: 0 })
  await page.getByLabel('Handle or email').fill('ria.test')
  await page.getByLabel('Password', { exact: true }).fill('a brand new password')
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL((u) => u.pathname === '/account')
  expect(factors().auditTrail(ria.did).map((a) => a.action)).toContain('reset-by-recovery')
  expect(consoleErrors).toEqual([])
  await context.close()
})
