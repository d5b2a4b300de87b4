// Security messages follow the person's preferred channel (issue 22, and issue 18's "every factor change
// tells the account holder"): second-factor codes, factor and app-password changes, and new sign-ins go
// to the Telegram chat a person chose, and fall back to email while that chat is unverified or Telegram's
// breaker is open. Real server, @atproto/api, SMTP sink, the Telegram Bot API fake.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { startFakeTelegram, TELEGRAM_TOKEN, type FakeHttp } from '../helpers/fake-notify.ts'

let h: AccountHarness
let telegram: FakeHttp
beforeAll(async () => {
  telegram = startFakeTelegram()
  // One channel failure opens the breaker (a recipient error must not).
  h = await startAccountHarness({
    PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    PDS_TELEGRAM_API_URL: telegram.url,
    PDS_NOTIFY_BREAKER_THRESHOLD: '1',
    PDS_NOTIFY_BREAKER_COOLDOWN_MS: '600000',
  })
})
afterAll(async () => {
  await h.close()
  telegram.close()
})

type XrpcFailure = { error?: string; status?: number; message?: string }
const errorOf = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as XrpcFailure | undefined
const textsTo = (chat: string) => telegram.received.filter((m) => m.chat_id === chat).map((m) => m.text as string)
const mailsTo = (email: string) => h.smtp.mails.filter((m) => m.to.includes(email))
const codeIn = (text: string | undefined) => text?.match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)?.[0]

async function until<T>(fn: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(10)
  }
}

/** A confirmed account; with `chat`, a verified, preferred Telegram chat (verified with the code sent there). */
async function account(name: string, chat?: string) {
  const acct = await h.signUp(name)
  await acct.agent.com.atproto.server.requestEmailConfirmation()
  await acct.agent.com.atproto.server.confirmEmail({ email: acct.email, token: await h.smtp.tokenFor(acct.email) })
  if (chat) {
    await h.server.services.notify.addChannel(acct.did, 'telegram', chat)
    h.server.services.notify.verifyChannel(acct.did, 'telegram', codeIn(textsTo(chat).at(-1))!)
  }
  return acct
}

/** The app's "enable 2FA" flow; the update token is email-bound, so it comes by email. */
async function enableEmailFactor(acct: Awaited<ReturnType<typeof account>>) {
  await acct.agent.com.atproto.server.requestEmailUpdate()
  await acct.agent.com.atproto.server.updateEmail({ email: acct.email, emailAuthFactor: true, token: await h.smtp.tokenFor(acct.email) })
}

/** createSession as a client with its own user agent. */
function signInAs(userAgent: string, identifier: string, password: string) {
  return fetch(`${h.server.url}/xrpc/com.atproto.server.createSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ identifier, password }),
  })
}

describe('security messages follow the preferred channel', () => {
  test('a sign-in code goes to the Telegram chat the person chose; factor and app-password changes are told there', async () => {
    const tara = await account('tara', '5550001')
    await enableEmailFactor(tara)
    expect(await until(() => textsTo('5550001').find((t) => t.includes('Sign-in codes by email were turned on')), 'the factor notice')).toContain('@tara.test')

    const mailed = mailsTo(tara.email).length
    const required = await errorOf(h.agent().login({ identifier: tara.handle, password: tara.password }))
    expect(required).toMatchObject({ status: 401, error: 'AuthFactorTokenRequired', message: 'A sign in code has been sent to you over Telegram' })
    const codeText = textsTo('5550001').at(-1)!
    expect(codeText).toStartWith('Sign in code\n\nSomeone is signing in to @tara.test with your password.')
    expect(codeText).toEndWith('— localhost')
    expect(mailsTo(tara.email).length).toBe(mailed) // nothing by email
    const session = await h.agent().login({ identifier: tara.handle, password: tara.password, authFactorToken: codeIn(codeText)! })
    expect(session.data.did).toBe(tara.did)

    await tara.agent.com.atproto.server.createAppPassword({ name: 'old client' })
    await until(() => textsTo('5550001').find((t) => t.includes('An app password was created for your account. Its name: old client.')), 'the app password notice')
    await tara.agent.com.atproto.server.revokeAppPassword({ name: 'old client' })
    await until(() => textsTo('5550001').find((t) => t.includes('An app password was revoked. Its name: old client.')), 'the revocation notice')
    expect(mailsTo(tara.email).length).toBe(mailed)

    const history = () => h.server.services.notify.history(tara.did).map((n) => `${n.kind}:${n.channel}:${n.state}`)
    await until(() => history().filter((k) => k === 'factor_change:telegram:sent').length === 3, 'three notices recorded as sent')
    expect(history()).toContain('sign_in_code:telegram:sent')
  })

  test('a sign-in from a new device is told once; the device that signed up is not new', async () => {
    const nina = await account('nina', '5550002')
    const before = textsTo('5550002').length
    // The @atproto/api agent signs in from the device it signed up from: no alert.
    await h.agent().login({ identifier: nina.handle, password: nina.password })
    const fromNew = await signInAs('Mallory-Browser/6.6 (X11)', nina.handle, nina.password)
    expect(fromNew.status).toBe(200)
    const alert = await until(() => textsTo('5550002').slice(before).find((t) => t.startsWith('New sign-in to your account')), 'the alert')
    expect(alert).toContain('Someone signed in to @nina.test (password) from a device or network not seen before.')
    expect(alert).toContain('IP address: 127.0.0.1')
    expect(alert).toContain('Device: Mallory-Browser/6.6 (X11)')
    // The same device again, and an app password from it: no second alert for the password sign-in.
    expect((await signInAs('Mallory-Browser/6.6 (X11)', nina.handle, nina.password)).status).toBe(200)
    // A wrong password is no sign-in.
    expect((await signInAs('Other/1.0', nina.handle, 'wrong')).status).toBe(401)
    await Bun.sleep(200)
    expect(textsTo('5550002').slice(before).filter((t) => t.startsWith('New sign-in')).length).toBe(1)
    expect(h.server.services.notify.history(nina.did)[0]).toMatchObject({ kind: 'new_sign_in', channel: 'telegram' })
  })

  test('an unverified chat does not take codes: they come by email', async () => {
    const uma = await account('uma')
    await h.server.services.notify.addChannel(uma.did, 'telegram', '5550003') // never verified
    await enableEmailFactor(uma)
    const required = await errorOf(h.agent().login({ identifier: uma.handle, password: uma.password }))
    expect(required?.message).toBe('A sign in code has been sent to your email address')
    expect(mailsTo(uma.email).at(-1)!.raw).toContain('Subject: Sign in code')
    expect(textsTo('5550003').length).toBe(1) // the verification code only
    await h.agent().login({ identifier: uma.handle, password: uma.password, authFactorToken: await h.smtp.tokenFor(uma.email) })
  })

  test('a recipient error fails that delivery only; a channel error opens the breaker and codes fall back to email', async () => {
    const notify = h.server.services.notify
    const vic = await account('vic', '5550004')
    const wes = await account('wes', '5550005')
    await enableEmailFactor(wes)
    const breaker = () => notify.status().breakers.find((b) => b.channel === 'telegram')?.state ?? 'closed'

    // Vic blocked the bot: Telegram answers 403 for that chat. The threshold is one failure, yet the
    // breaker stays closed and Wes still gets his code on Telegram.
    telegram.failNext(1, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' })
    await h.server.services.accounts.requestPasswordReset(vic.email)
    expect(notify.history(vic.did)[0]).toMatchObject({ kind: 'reset_password', channel: 'telegram', state: 'failed', attempts: 1 })
    expect(breaker()).toBe('closed')
    const required = await errorOf(h.agent().login({ identifier: wes.handle, password: wes.password }))
    expect(required?.message).toBe('A sign in code has been sent to you over Telegram')
    expect(notify.history(wes.did)[0]).toMatchObject({ kind: 'sign_in_code', channel: 'telegram', state: 'sent' })

    // Telegram itself fails (502): the breaker opens, and the next code goes by email instead of waiting.
    telegram.failNext(1, 502, { ok: false, error_code: 502, description: 'Bad Gateway' })
    await h.server.services.accounts.requestPasswordReset(vic.email)
    expect(breaker()).toBe('open')
    const mailed = mailsTo(wes.email).length
    const fallback = await errorOf(h.agent().login({ identifier: wes.handle, password: wes.password }))
    expect(fallback?.message).toBe('A sign in code has been sent to your email address')
    expect(mailsTo(wes.email).length).toBe(mailed + 1)
    const session = await h.agent().login({ identifier: wes.handle, password: wes.password, authFactorToken: await h.smtp.tokenFor(wes.email) })
    expect(session.data.did).toBe(wes.did)
    expect(notify.history(wes.did)[0]).toMatchObject({ kind: 'sign_in_code', channel: 'email', state: 'sent' })
  })
})
