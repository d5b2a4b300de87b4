// Email and password in the browser with the reference's email-code flows: confirm the address, change
// it (code to the current address first), change the password (code, then every session ends).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { checkView, fieldError, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

const accountOf = (did: string) => h.server.services.accounts.getAccount(did)!

test('confirm the address, then change it', async () => {
  const ivan = await h.signUp('ivan')
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, ivan.handle, ivan.password, '/account/email')
  await checkView(page, 'email')
  await page.getByRole('button', { name: 'Send me a confirmation code' }).click()
  await page.waitForURL('**/account/email?done=confirmation-sent')
  const code = await h.smtp.tokenFor(ivan.email)

  await page.getByLabel('Confirmation code').fill('AAAAA-BBBBB')
  await page.getByRole('button', { name: 'Confirm address' }).click()
  expect(await fieldError(page, 'Confirmation code')).toContain('That code is not right')
  expect(accountOf(ivan.did).emailConfirmedAt).toBeNull()
  await checkView(page, 'email-code-error')
  await page.getByLabel('Confirmation code').fill(code.toLowerCase())
  await page.getByRole('button', { name: 'Confirm address' }).click()
  await page.waitForURL('**/account/email?done=confirmed')
  expect(accountOf(ivan.did).emailConfirmedAt).not.toBeNull()
  await page.locator('main').getByText('Confirmed', { exact: true }).waitFor()

  // Confirmed: a change needs a code sent to the current address.
  await page.getByRole('button', { name: 'Send me a code' }).click()
  await page.waitForURL('**/account/email?step=change&done=change-code-sent')
  const changeCode = await h.smtp.tokenFor(ivan.email)
  await checkView(page, 'email-change')
  await page.getByLabel('New email address').fill('not-an-address')
  await page.getByLabel('Code sent to your current address').fill(changeCode)
  await page.locator('form[aria-label="Change your address"]').evaluate((f: any) => f.setAttribute('novalidate', ''))
  await page.getByRole('button', { name: 'Change address' }).click()
  expect(await fieldError(page, 'New email address')).toContain('Enter an email address')
  await page.getByLabel('New email address').fill('ivan-new@example.com')
  await page.getByLabel('Code sent to your current address').fill('AAAAA-BBBBB')
  await page.getByRole('button', { name: 'Change address' }).click()
  expect(await fieldError(page, 'Code sent to your current address')).toContain('That code is not right')
  expect(accountOf(ivan.did).email).toBe(ivan.email)

  await page.getByLabel('Code sent to your current address').fill(changeCode)
  await page.getByRole('button', { name: 'Change address' }).click()
  await page.waitForURL('**/account/email?done=changed')
  expect(accountOf(ivan.did).email).toBe('ivan-new@example.com')
  expect(accountOf(ivan.did).emailConfirmedAt).toBeNull()
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('an address already used by another account is refused beside the field', async () => {
  const judy = await h.signUp('judy')
  await h.signUp('kim')
  const { context, page } = await h.newContext()
  await signIn(page, judy.handle, judy.password, '/account/email')
  // Not confirmed: no code needed.
  await page.getByLabel('New email address').fill('kim@example.com')
  await page.getByRole('button', { name: 'Change address' }).click()
  expect(await fieldError(page, 'New email address')).toContain('already in use')
  expect(accountOf(judy.did).email).toBe(judy.email)
  await context.close()
})

test('change the password: a code by email; every session ends, this one too', async () => {
  const leo = await h.signUp('leo')
  const other = await h.newContext()
  await signIn(other.page, leo.handle, leo.password)
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, leo.handle, leo.password, '/account/password')
  await checkView(page, 'password')
  await page.getByRole('button', { name: 'Send me a code' }).click()
  await page.waitForURL('**/account/password?done=code-sent')
  const code = await h.smtp.tokenFor(leo.email)
  await checkView(page, 'password-code-sent')

  await page.getByLabel('Code from the email').fill(code)
  await page.getByLabel('New password', { exact: true }).fill('leo-new-password')
  await page.getByLabel('New password again').fill('leo-other-password')
  await page.getByRole('button', { name: 'Change password' }).click()
  expect(await fieldError(page, 'New password again')).toBe('The two passwords are not the same.')
  expect(await h.server.services.accounts.verifyPassword(leo.did, leo.password)).toBe(true)

  await page.getByLabel('New password', { exact: true }).fill('leo-new-password')
  await page.getByLabel('New password again').fill('leo-new-password')
  await page.getByRole('button', { name: 'Change password' }).click()
  await page.waitForURL('**/account/sign-in?notice=password-changed')
  expect(await h.server.services.accounts.verifyPassword(leo.did, 'leo-new-password')).toBe(true)
  expect(h.server.services.accounts.webSessions.list(leo.did)).toHaveLength(0)
  await expect(leo.agent.com.atproto.server.refreshSession()).rejects.toThrow()
  await other.page.goto('/account')
  expect(new URL(other.page.url()).pathname).toBe('/account/sign-in')
  await expect(new AtpAgent({ service: h.server.url }).login({ identifier: leo.handle, password: leo.password })).rejects.toThrow()
  await signIn(page, leo.handle, 'leo-new-password')
  expect(new URL(page.url()).pathname).toBe('/account')
  expect(consoleErrors).toEqual([])
  await other.context.close()
  await context.close()
})

test('the password page itself needs a recent password', async () => {
  const mia = await h.signUp('mia')
  const { context, page } = await h.newContext()
  await signIn(page, mia.handle, mia.password)
  h.server.services.accounts.manager.db.query('UPDATE web_session SET authenticatedAt = 0 WHERE did = ?').run(mia.did)
  await page.goto('/account/password')
  expect(new URL(page.url()).pathname).toBe('/account/confirm-password')
  await page.getByLabel('Password', { exact: true }).fill(mia.password)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL('**/account/password')
  await page.getByRole('button', { name: 'Send me a code' }).waitFor()
  await context.close()
})
