// The notifications view in the browser, with the Telegram Bot API fake: add a Telegram chat, verify
// it with the code the fake received (a wrong code and a bad chat id change nothing), make it preferred,
// then a password reset from the forgot-password page arrives on Telegram and shows in the history.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { checkView, csrfOn, fieldError, rawPost, signIn, startWebHarness, type WebHarness } from './harness.ts'
import { maskAddress } from '../../../src/web/account/notifications.tsx'
import { startFakeTelegram, TELEGRAM_TOKEN, type FakeHttp } from '../../helpers/fake-notify.ts'

setDefaultTimeout(90_000)

let h: WebHarness
let telegram: FakeHttp
beforeAll(async () => {
  telegram = startFakeTelegram()
  h = await startWebHarness({ PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: telegram.url })
})
afterAll(async () => {
  await h?.close()
  telegram?.close()
})

const CHAT = '424242'
const codeSentTo = (chatId: string) => {
  const text = telegram.received.findLast((m) => m.chat_id === chatId)?.text as string | undefined
  return text?.match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)?.[0]
}

test('add, verify and prefer Telegram; a password reset then arrives there and shows in the history', async () => {
  const nora = await h.signUp('nora')
  const notify = h.server.services.notify
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, nora.handle, nora.password, '/account/notifications')
  await expect(page.getByRole('link', { name: 'Notifications' }).first().getAttribute('aria-current')).resolves.toBe('page')
  // Only the channels the operator configured are offered (email is the account's own address).
  expect(await page.getByLabel('Channel').locator('option').allTextContents()).toEqual(['Telegram'])
  await checkView(page, 'notifications-empty')

  // A chat id Telegram would refuse: the message beside the field, nothing stored, nothing sent.
  await page.getByLabel('Address', { exact: true }).fill('not a chat')
  await page.getByRole('button', { name: 'Send a code' }).click()
  expect(await fieldError(page, 'Address')).toContain('a Telegram chat id is a number')
  expect(await page.getByLabel('Address', { exact: true }).inputValue()).toBe('not a chat')
  expect(notify.listChannels(nora.did)).toEqual([])
  expect(telegram.received.length).toBe(0)
  await checkView(page, 'notifications-address-error')

  await page.getByLabel('Address', { exact: true }).fill(CHAT)
  await page.getByRole('button', { name: 'Send a code' }).click()
  await page.waitForURL('**/account/notifications?done=code-sent&channel=telegram')
  const code = codeSentTo(CHAT)
  expect(code).toBeTruthy()
  expect(notify.listChannels(nora.did)).toEqual([{ channel: 'telegram', address: CHAT, verified: false, preferred: false }])

  // A wrong code is refused beside the field and verifies nothing.
  await page.getByLabel('Code sent over Telegram').fill('AAAAA-BBBBB')
  await page.getByRole('button', { name: 'Verify' }).click()
  expect(await fieldError(page, 'Code sent over Telegram')).toContain('This code is not right')
  expect(notify.listChannels(nora.did)[0]!.verified).toBe(false)
  await checkView(page, 'notifications-code-error')

  await page.getByLabel('Code sent over Telegram').fill(code!.toLowerCase())
  await page.getByRole('button', { name: 'Verify' }).click()
  await page.waitForURL('**/account/notifications?done=verified')
  // The first verified channel becomes the preferred one; email stays selectable as the fallback.
  expect(notify.listChannels(nora.did)).toEqual([{ channel: 'telegram', address: CHAT, verified: true, preferred: true }])
  await page.getByLabel('Send my messages to').selectOption('email')
  await page.getByRole('button', { name: 'Save choice' }).click()
  await page.waitForURL('**/account/notifications?done=preferred-email')
  expect(notify.listChannels(nora.did)[0]!.preferred).toBe(false)
  await page.getByRole('button', { name: 'Send my messages to Telegram' }).click()
  await page.waitForURL('**/account/notifications?done=preferred')
  expect(notify.listChannels(nora.did)[0]!.preferred).toBe(true)
  await page.locator('main').getByText('Preferred', { exact: true }).waitFor()

  // A preference for a channel that is not verified (a forged form) is refused and changes nothing.
  const refused = await rawPost(context, h.server.url, '/account/notifications/preferred', { csrf_token: await csrfOn(page), preferred: 'discord' }, { origin: h.server.url })
  expect(refused.status).toBe(400)
  expect(notify.listChannels(nora.did)[0]!.preferred).toBe(true)
  // Without the CSRF token nothing is changed either.
  const forged = await rawPost(context, h.server.url, '/account/notifications/remove', { channel: 'telegram' }, { origin: h.server.url })
  expect(forged.status).toBe(403)
  expect(notify.listChannels(nora.did)).toHaveLength(1)

  // Forgot password (signed out, another browser profile): the code goes to Telegram, not to email.
  const mailsBefore = h.smtp.mails.length
  const other = await h.newContext()
  await other.page.goto('/account/forgot-password')
  await other.page.getByLabel('Email address').fill(nora.email)
  await other.page.getByRole('button', { name: 'Send code' }).click()
  await other.page.waitForURL('**/account/reset-password**')
  const resetText = telegram.received.at(-1)!.text as string
  expect(telegram.received.at(-1)!.chat_id).toBe(CHAT)
  expect(resetText).toContain('@nora.test')
  const resetCode = codeSentTo(CHAT)!
  expect(resetCode).not.toBe(code)
  expect(h.smtp.mails.length).toBe(mailsBefore)
  await other.page.getByLabel('Code from the email').fill(resetCode)
  await other.page.getByLabel('New password', { exact: true }).fill('nora-new-password-1')
  await other.page.getByLabel('New password again').fill('nora-new-password-1')
  await other.page.getByRole('button', { name: 'Set password' }).click()
  await other.page.waitForURL((u) => !u.pathname.endsWith('/reset-password'))
  await other.context.close()
  await h.agent().login({ identifier: nora.handle, password: 'nora-new-password-1' })

  // The history lists the verification code and the reset, both delivered over Telegram, after the
  // new sign-in alert of the browser's first sign-in (a device the account had not signed in from),
  // sent by email as no channel was verified then.
  await page.goto('/account/notifications')
  if (new URL(page.url()).pathname.endsWith('/sign-in')) await signIn(page, nora.handle, 'nora-new-password-1', '/account/notifications')
  const history = page.getByRole('region', { name: 'Sent to you' }).locator('li')
  await expect(history.count()).resolves.toBe(3)
  expect((await history.nth(0).textContent())!).toMatch(/Password reset code.*Delivered.*UTC · Telegram/)
  expect((await history.nth(1).textContent())!).toMatch(/Channel verification code.*Delivered.*UTC · Telegram/)
  expect((await history.nth(2).textContent())!).toMatch(/New sign-in.*Delivered.*UTC · Email/)
  await checkView(page, 'notifications')

  // Removing the channel: messages fall back to email.
  await page.getByRole('button', { name: 'Remove Telegram' }).click()
  await page.waitForURL('**/account/notifications?done=removed')
  expect(notify.listChannels(nora.did)).toEqual([])
  await page.getByText('your email address (nora@example.com)').waitFor()
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('addresses that work as secrets show only their ends', () => {
  expect(maskAddress('discord', 'https://discord.com/api/webhooks/123456789/secret-webhook-token')).toBe('discord.com/api/webhooks/123456789/••••')
  expect(maskAddress('ntfy', 'https://ntfy.example.com/my-secret-topic')).toBe('ntfy.example.com/my-s••••ic')
  expect(maskAddress('ntfy', 'my-secret-topic')).toBe('my-s••••ic')
  expect(maskAddress('signal', '+15551234567')).toBe('+155••••67')
  expect(maskAddress('ntfy', 'abc')).toBe('••••')
  expect(maskAddress('telegram', '424242')).toBe('424242')
})
