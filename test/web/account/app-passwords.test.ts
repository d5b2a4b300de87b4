// App passwords in the browser: creating one needs a recent password (re-authentication), shows it once
// with a copy button, and it signs an app in; a bad name is said beside the field; revoke ends it.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { checkView, fieldError, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
let erin: Awaited<ReturnType<WebHarness['signUp']>>

beforeAll(async () => {
  h = await startWebHarness()
  erin = await h.signUp('erin')
})
afterAll(() => h?.close())

/** As if the password was last entered long ago (the re-authentication window has passed). */
function expireReauth(did: string) {
  h.server.services.accounts.manager.db.query('UPDATE web_session SET authenticatedAt = 0 WHERE did = ?').run(did)
}

test('create (after confirming the password), use once shown, revoke', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await signIn(page, erin.handle, erin.password, '/account/app-passwords')
  await checkView(page, 'app-passwords')
  expireReauth(erin.did)

  await page.getByLabel('Name').fill('My phone')
  await page.getByLabel('Allow access to direct messages').check()
  await page.getByRole('button', { name: 'Create app password' }).click()
  // Too long since the password was entered: confirm it first; nothing was created.
  await page.waitForURL('**/account/confirm-password?**')
  expect(h.server.services.accounts.manager.listAppPasswords(erin.did)).toHaveLength(0)
  await page.getByText('nothing was changed yet').waitFor()
  await checkView(page, 'confirm-password')
  await page.getByLabel('Password', { exact: true }).fill('not-it')
  await page.getByRole('button', { name: 'Continue' }).click()
  expect(await fieldError(page, 'Password')).toBe('That is not your account password.')
  await page.getByLabel('Password', { exact: true }).fill(erin.password)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL('**/account/app-passwords')

  await page.getByLabel('Name').fill('My phone')
  await page.getByLabel('Allow access to direct messages').check()
  await page.getByRole('button', { name: 'Create app password' }).click()
  const secret = (await page.locator('code.secret').textContent())!
  expect(secret).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/)
  await page.getByText('It is shown only this once.').waitFor()
  await checkView(page, 'app-password-created')
  await page.getByRole('button', { name: 'Copy app password' }).click()
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret)
  expect(h.server.services.accounts.manager.listAppPasswords(erin.did)).toEqual([expect.objectContaining({ name: 'My phone', privileged: true })])

  // The app password signs an app in.
  const app = new AtpAgent({ service: h.server.url })
  await app.login({ identifier: erin.handle, password: secret })
  // Reloading the list does not show it again.
  await page.goto('/account/app-passwords')
  expect(await page.locator('code.secret').count()).toBe(0)
  await page.getByText('Direct messages', { exact: true }).waitFor()

  // A name already used, and an empty name: said beside the field, nothing created.
  await page.getByLabel('Name').fill('My phone')
  await page.getByRole('button', { name: 'Create app password' }).click()
  expect(await fieldError(page, 'Name')).toBe('You already have an app password with this name.')
  await page.getByLabel('Name').fill('   ')
  await page.getByRole('button', { name: 'Create app password' }).click()
  expect(await fieldError(page, 'Name')).toBe('Give the app password a name.')
  expect(h.server.services.accounts.manager.listAppPasswords(erin.did)).toHaveLength(1)

  await page.getByRole('button', { name: 'Revoke My phone' }).click()
  await page.waitForURL('**/account/app-passwords?done=revoked')
  expect(h.server.services.accounts.manager.listAppPasswords(erin.did)).toHaveLength(0)
  await expect(app.com.atproto.server.refreshSession()).rejects.toThrow()
  await expect(new AtpAgent({ service: h.server.url }).login({ identifier: erin.handle, password: secret })).rejects.toThrow()
  expect(consoleErrors).toEqual([])
  await context.close()
})
