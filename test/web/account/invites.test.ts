// Invite codes in the browser, on a server that needs them: each code, its uses left and who used it.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { checkView, fieldError, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness({ PDS_INVITE_REQUIRED: 'true' })
})
afterAll(() => h?.close())

test('the account’s codes with their uses', async () => {
  const [first] = h.server.services.accounts.createInviteCodes(['admin'], 1, 1)
  const grace = await h.signUp('grace', { inviteCode: first!.codes[0]! })
  const { codes } = h.server.services.accounts.createInviteCodes([grace.did], 2, 3)[0]!
  const heidi = await h.signUp('heidi', { inviteCode: codes[0]! })

  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, grace.handle, grace.password, '/account/invites')
  const main = page.locator('main')
  await main.getByText(codes[0]!, { exact: true }).waitFor()
  await main.getByText(codes[1]!, { exact: true }).waitFor()
  await main.getByText('2 uses left').waitFor()
  await main.getByText('3 uses left').waitFor()
  await main.getByText(`Used by @${heidi.handle}`).waitFor()
  await main.getByRole('button', { name: `Copy invite code ${codes[1]}` }).waitFor()
  await checkView(page, 'invites')
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('sign-up asks for the invite code and refuses a bad one', async () => {
  const [{ codes }] = h.server.services.accounts.createInviteCodes(['admin'], 1, 1)
  const { context, page } = await h.newContext()
  await page.goto('/account/sign-up')
  await page.getByLabel('Handle', { exact: true }).fill('uma')
  await page.getByLabel('Email address').fill('uma@example.com')
  await page.getByLabel('Password', { exact: true }).fill('umas-password')
  await page.getByLabel('Password again').fill('umas-password')
  await page.getByLabel('Invite code').fill('localhost-nope')
  await page.getByRole('button', { name: 'Create account' }).click()
  expect(await fieldError(page, 'Invite code')).toBe('That invite code is not valid or has been used up.')
  expect(h.server.services.accounts.getAccount('uma.test')).toBeNull()
  await page.getByLabel('Password', { exact: true }).fill('umas-password')
  await page.getByLabel('Password again').fill('umas-password')
  await page.getByLabel('Invite code').fill(codes![0]!)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL('**/account/email?done=welcome')
  expect(h.server.services.accounts.getAccount('uma.test')).not.toBeNull()
  await context.close()
})
