// "Send a new code" where the web waits for one: the sign-in page's code step for an account with
// sign-in codes by email, and a channel's verification in the Notifications view. Each sends a fresh
// code (the old one stops working) and is rate limited. Browser, real server, SMTP sink, Telegram fake.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { checkView, fieldError, rawPost, signIn, startWebHarness, type WebHarness } from './harness.ts'
import { startFakeTelegram, TELEGRAM_TOKEN, type FakeHttp } from '../../helpers/fake-notify.ts'

setDefaultTimeout(90_000)

let h: WebHarness
let telegram: FakeHttp
beforeAll(async () => {
  telegram = startFakeTelegram()
  // Rate limits on (the test server turns them off by default); these tests stay under the others.
  h = await startWebHarness({ PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: telegram.url, PDS_RATE_LIMITS_ENABLED: 'true' })
})
afterAll(async () => {
  await h?.close()
  telegram?.close()
})

const CODE_LABEL = 'Code from your authenticator app or email, or a backup code'

test('the sign-in code step sends a new code on request; the old one stops working; five an IP per 15 minutes', async () => {
  const cora = await h.signUp('cora')
  await cora.agent.com.atproto.server.requestEmailConfirmation()
  await cora.agent.com.atproto.server.confirmEmail({ email: cora.email, token: await h.smtp.tokenFor(cora.email) })
  await h.server.services.accounts.factors.setEmailAuthFactor(cora.did, true)

  const { context, page, consoleErrors } = await h.newContext()
  await page.goto('/account/sign-in')
  await page.getByLabel('Handle or email').fill(cora.handle)
  await page.getByLabel('Password', { exact: true }).fill(cora.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  expect(await fieldError(page, CODE_LABEL)).toBe('A sign in code has been sent to your email address')
  const first = await h.smtp.tokenFor(cora.email)
  await checkView(page, 'sign-in-code-step')

  const mailed = h.smtp.mails.length
  await page.getByLabel('Password', { exact: true }).fill(cora.password)
  await page.getByLabel(CODE_LABEL).fill('typed, then ignored')
  await page.getByRole('button', { name: 'Send a new code' }).click()
  expect(await fieldError(page, CODE_LABEL)).toBe('A sign in code has been sent to your email address')
  expect(h.smtp.mails.length).toBe(mailed + 1)
  const second = await h.smtp.tokenFor(cora.email)
  expect(second).not.toBe(first)

  // The first code was replaced; the new one signs in.
  await page.getByLabel('Password', { exact: true }).fill(cora.password)
  await page.getByLabel(CODE_LABEL).fill(first)
  await page.getByRole('button', { name: 'Sign in' }).click()
  expect(await fieldError(page, CODE_LABEL)).toContain('Token is invalid')
  await page.getByLabel('Password', { exact: true }).fill(cora.password)
  await page.getByLabel(CODE_LABEL).fill(second)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((u) => u.pathname === '/account')
  expect(consoleErrors).toEqual([])
  await context.close()

  // Without the password nothing is sent, and the code step stays; the sixth request in 15 minutes is refused.
  const other = await h.newContext()
  await other.page.goto('/account/sign-in')
  await other.page.getByLabel('Handle or email').fill(cora.handle)
  await other.page.getByLabel('Password', { exact: true }).fill(cora.password)
  await other.page.getByRole('button', { name: 'Sign in' }).click()
  await other.page.getByRole('button', { name: 'Send a new code' }).waitFor()
  const before = h.smtp.mails.length
  for (let i = 0; i < 4; i++) {
    await other.page.getByRole('button', { name: 'Send a new code' }).click()
    expect(await fieldError(other.page, 'Password')).toBe('Enter your password.')
  }
  expect(h.smtp.mails.length).toBe(before)
  const refused = other.page.waitForResponse((res) => res.url().endsWith('/account/sign-in/new-code'))
  await other.page.getByRole('button', { name: 'Send a new code' }).click()
  expect((await refused).status()).toBe(429)
  await other.context.close()
})

test('a channel waiting for verification gets a new code on request, not twice in 30 seconds', async () => {
  const ida = await h.signUp('ida')
  const notify = h.server.services.notify
  const codeSentTo = (chat: string) => (telegram.received.findLast((m) => m.chat_id === chat)?.text as string | undefined)?.match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)?.[0]
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, ida.handle, ida.password, '/account/notifications')
  await page.getByLabel('Address', { exact: true }).fill('616161')
  await page.getByRole('button', { name: 'Send a code' }).click()
  await page.waitForURL('**/account/notifications?done=code-sent&channel=telegram')
  const first = codeSentTo('616161')!

  // Too soon: said beside the code field, nothing sent.
  const sent = telegram.received.length
  await page.getByRole('button', { name: 'Send a new code over Telegram' }).click()
  expect(await fieldError(page, 'Code sent over Telegram')).toBe('We sent a code less than 30 seconds ago. Give it a moment to arrive, then ask again.')
  expect(telegram.received.length).toBe(sent)

  // Half a minute later: a fresh code; the first one no longer verifies, the new one does.
  h.server.services.accounts.manager.db.query('UPDATE notify_channel SET codeRequestedAt = ? WHERE did = ?').run(new Date(Date.now() - 31_000).toISOString(), ida.did)
  await page.getByRole('button', { name: 'Send a new code over Telegram' }).click()
  await page.waitForURL('**/account/notifications?done=code-sent&channel=telegram')
  const second = codeSentTo('616161')!
  expect(second).not.toBe(first)
  await page.getByLabel('Code sent over Telegram').fill(first)
  await page.getByRole('button', { name: 'Verify' }).click()
  expect(await fieldError(page, 'Code sent over Telegram')).toContain('This code is not right')
  await checkView(page, 'notifications-new-code')
  await page.getByLabel('Code sent over Telegram').fill(second)
  await page.getByRole('button', { name: 'Verify' }).click()
  await page.waitForURL('**/account/notifications?done=verified')
  expect(notify.listChannels(ida.did)).toEqual([{ channel: 'telegram', address: '616161', verified: true, preferred: true }])
  // A verified channel has no code waiting: no button, and the route refuses.
  expect(await page.getByRole('button', { name: 'Send a new code over Telegram' }).count()).toBe(0)
  const csrf = (await page.locator('input[name="csrf_token"]').first().getAttribute('value'))!
  const res = await rawPost(context, h.server.url, '/account/notifications/resend', { csrf_token: csrf, channel: 'telegram' }, { origin: h.server.url })
  expect(res.status).toBe(400)
  expect(consoleErrors).toEqual([])
  await context.close()
})
