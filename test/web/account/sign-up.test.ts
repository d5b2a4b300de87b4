// Sign-up in the browser: the handle checked live as it is typed, bad input said beside each field with
// nothing created, then a new account (in the PLC directory), signed in and asked to confirm its email.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { checkView, fieldError, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
  await h.signUp('taken')
})
afterAll(() => h?.close())

test('create an account', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await page.goto('/account/sign-in')
  await page.getByRole('link', { name: 'Create an account' }).click()
  expect(new URL(page.url()).pathname).toBe('/account/sign-up')
  const status = page.locator('#handle-status')

  // The live check (the client script asks the server as the handle is typed).
  await page.getByLabel('Handle', { exact: true }).fill('taken')
  await expect(status.filter({ hasText: 'That handle is taken.' }).waitFor()).resolves.toBeUndefined()
  await page.getByLabel('Handle', { exact: true }).fill('ab')
  await expect(status.filter({ hasText: 'Handle too short' }).waitFor()).resolves.toBeUndefined()
  await page.getByLabel('Handle', { exact: true }).fill('sam')
  await expect(status.filter({ hasText: '@sam.test is available.' }).waitFor()).resolves.toBeUndefined()
  await checkView(page, 'sign-up')

  // Bad input: each said beside its field; nothing created.
  await page.getByLabel('Email address').fill('sam@example.com')
  await page.getByLabel('Password', { exact: true }).fill('short')
  await page.getByLabel('Password again').fill('short')
  await page.getByRole('button', { name: 'Create account' }).click()
  expect(await fieldError(page, 'Password')).toBe('Use at least 8 characters.')
  await page.getByLabel('Handle', { exact: true }).fill('taken')
  await page.getByLabel('Password', { exact: true }).fill('sams-password')
  await page.getByLabel('Password again').fill('sams-password')
  await page.getByRole('button', { name: 'Create account' }).click()
  expect(await fieldError(page, 'Handle')).toBe('That handle is taken.')
  expect(await page.getByLabel('Email address').inputValue()).toBe('sam@example.com')
  await checkView(page, 'sign-up-error')
  expect(h.server.services.accounts.getAccount('sam.test')).toBeNull()

  await page.getByLabel('Handle', { exact: true }).fill('sam')
  await page.getByLabel('Password', { exact: true }).fill('sams-password')
  await page.getByLabel('Password again').fill('sams-password')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL('**/account/email?done=welcome')
  const sam = h.server.services.accounts.getAccount('sam.test')!
  expect(sam.email).toBe('sam@example.com')
  const plc = (await (await fetch(`${h.plc.url}/${sam.did}/data`)).json()) as { alsoKnownAs: string[] }
  expect(plc.alsoKnownAs).toEqual(['at://sam.test'])
  // Signed in here, and no leftover API session.
  expect(h.server.services.accounts.webSessions.list(sam.did)).toHaveLength(1)
  expect(h.server.services.accounts.listPasswordSessions(sam.did)).toHaveLength(0)

  const code = await h.smtp.tokenFor('sam@example.com')
  await page.getByLabel('Confirmation code').fill(code)
  await page.getByRole('button', { name: 'Confirm address' }).click()
  await page.waitForURL('**/account/email?done=confirmed')
  expect(h.server.services.accounts.getAccount(sam.did)!.emailConfirmedAt).not.toBeNull()
  expect(consoleErrors).toEqual([])
  await context.close()
})
