// The JSON passkey sign-in (POST /passkeys/login) tells the account holder about a new device, as
// createSession does: headless Chromium with a CDP virtual authenticator, real server, SMTP sink.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AccountHarness } from './account-harness.ts'
import { openPasskeyPage, type PasskeyPage, type Reply } from './passkey-page.ts'

let p: PasskeyPage
let h: AccountHarness
let call: PasskeyPage['call']

beforeAll(async () => {
  p = await openPasskeyPage()
  ;({ h, call } = p)
}, 60_000)
afterAll(async () => {
  await p?.close()
})

async function passkeySignIn(): Promise<Reply> {
  const options = await call('/passkeys/login/options', {})
  const assertion = await p.getAssertion(options.body)
  return call('/passkeys/login', { response: assertion })
}

async function until<T>(fn: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(10)
  }
}

test('a passkey sign-in from a new device raises one new sign-in alert, naming the IP and browser', async () => {
  const owner = await h.signUp('quinn')
  const token = owner.agent.session!.accessJwt
  const options = await call('/passkeys/register/options', {}, token)
  const credential = await p.createCredential(options.body)
  expect((await call('/passkeys/register', { name: 'laptop', response: credential }, token)).status).toBe(200)
  const alerts = () => h.smtp.mails.filter((m) => m.to.includes(owner.email) && m.raw.includes('New sign-in to your account'))
  expect(alerts()).toHaveLength(0) // signing up and registering are no sign-in

  const first = await passkeySignIn()
  expect(first.status).toBe(200)
  expect(first.body.did).toBe(owner.did)
  const mail = await until(() => alerts()[0], 'the new sign-in alert')
  const text = mail.raw.replace(/=\r\n/g, '') // quoted-printable soft line breaks
  expect(text).toContain('(passkey) from a device or network not seen before')
  expect(text).toContain('IP address: 127.0.0.1')
  expect(text).toContain('HeadlessChrome')
  expect(h.server.services.notify.history(owner.did).filter((n) => n.kind === 'new_sign_in')).toHaveLength(1)

  // The same browser again is a known device; a refused sign-in is none at all.
  expect((await passkeySignIn()).status).toBe(200)
  expect((await call('/passkeys/login', { response: { id: 'nope' } })).status).toBe(400)
  await Bun.sleep(200)
  expect(alerts()).toHaveLength(1)
  expect(h.server.services.notify.history(owner.did).filter((n) => n.kind === 'new_sign_in')).toHaveLength(1)
}, 30_000)
