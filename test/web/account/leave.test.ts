// Deactivate (everything kept, the network told, signed out; reactivate by signing in) and delete (an
// emailed code and the password; everything goes, the network told) in the browser.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { replayAll } from '../../helpers/firehose.ts'
import { checkView, fieldError, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

const accountEvents = async (did: string) => (await replayAll(h.server.port)).filter((f) => f.header.t === '#account' && f.body.did === did).map((f) => f.body)

test('deactivate, then reactivate', async () => {
  const quinn = await h.signUp('quinn')
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, quinn.handle, quinn.password)
  await page.getByRole('link', { name: 'Deactivate your account' }).click()
  await checkView(page, 'deactivate')
  await page.getByRole('button', { name: 'Deactivate my account' }).click()
  await page.waitForURL('**/account/sign-in?notice=deactivated')
  const account = h.server.services.accounts.getAccount(quinn.did, { includeDeactivated: true })!
  expect(account.deactivatedAt).not.toBeNull()
  expect(h.server.services.repo.stats(quinn.did)!.records).toBeGreaterThanOrEqual(0)
  expect((await accountEvents(quinn.did)).at(-1)).toMatchObject({ active: false, status: 'deactivated' })
  await expect(quinn.agent.com.atproto.server.refreshSession()).rejects.toThrow()

  await signIn(page, quinn.handle, quinn.password)
  await page.locator('main').getByText('Deactivated', { exact: true }).waitFor()
  await page.locator('main').getByRole('link', { name: 'Reactivate' }).click()
  await checkView(page, 'reactivate')
  await page.getByRole('button', { name: 'Reactivate my account' }).click()
  await page.waitForURL('**/account?done=reactivated')
  expect(h.server.services.accounts.getAccount(quinn.did)!.active).toBe(true)
  expect((await accountEvents(quinn.did)).at(-1)).toMatchObject({ active: true })
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('delete with the emailed code and the password', async () => {
  const rae = await h.signUp('rae')
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, rae.handle, rae.password, '/account/delete')
  await checkView(page, 'delete')
  await page.getByRole('button', { name: 'Email me a deletion code' }).click()
  await page.waitForURL('**/account/delete?done=code-sent')
  const code = await h.smtp.tokenFor(rae.email)

  await page.getByLabel('Code from the email').fill(code)
  await page.getByLabel('Your password').fill('not-the-password')
  await page.getByRole('button', { name: 'Delete my account for good' }).click()
  expect(await fieldError(page, 'Your password')).toBe('That is not your account password.')
  await page.getByLabel('Code from the email').fill('AAAAA-BBBBB')
  await page.getByLabel('Your password').fill(rae.password)
  await page.getByRole('button', { name: 'Delete my account for good' }).click()
  expect(await fieldError(page, 'Code from the email')).toContain('That code is not right')
  expect(h.server.services.accounts.getAccount(rae.did)).not.toBeNull()
  await checkView(page, 'delete-error')

  await page.getByLabel('Code from the email').fill(code)
  await page.getByLabel('Your password').fill(rae.password)
  await page.getByRole('button', { name: 'Delete my account for good' }).click()
  await page.waitForURL('**/account/sign-in?notice=deleted')
  await page.getByText('Your account was deleted.').waitFor()
  expect(h.server.services.accounts.getAccount(rae.did, { includeDeactivated: true, includeTakenDown: true })).toBeNull()
  expect(h.server.services.repo.hasRepo(rae.did)).toBe(false)
  expect((await accountEvents(rae.did)).at(-1)).toMatchObject({ active: false, status: 'deleted' })
  expect(consoleErrors).toEqual([])
  await context.close()
})
