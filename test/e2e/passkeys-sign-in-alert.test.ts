// The JSON passkey sign-in (POST /passkeys/login) tells the account holder about a new device, as
// createSession does: headless Chromium with a CDP virtual authenticator, real server, SMTP sink.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser, Page } from 'playwright-core'
import { addVirtualAuthenticator, launchChromium } from '../helpers/chromium.ts'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'

// Browser-side globals inside page.evaluate (the project's lib has no DOM types).
declare const navigator: { credentials: { create(o: unknown): Promise<{ toJSON(): unknown }>; get(o: unknown): Promise<{ toJSON(): unknown }> } }
declare const PublicKeyCredential: { parseCreationOptionsFromJSON(o: unknown): unknown; parseRequestOptionsFromJSON(o: unknown): unknown }

let h: AccountHarness
let browser: Browser
let page: Page

beforeAll(async () => {
  const launching = launchChromium()
  h = await startAccountHarness()
  browser = await launching
  const context = await browser.newContext()
  page = await context.newPage()
  await addVirtualAuthenticator(context, page)
  await page.goto(`${h.server.config.service.publicUrl}/robots.txt`)
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await h?.close()
})

type Reply = { status: number; body: Record<string, any> }
const call = (path: string, body: unknown, token?: string): Promise<Reply> =>
  page.evaluate(
    async ([path, body, token]) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (token) headers.authorization = `Bearer ${token}`
      const res = await fetch(path as string, { method: 'POST', headers, body: JSON.stringify(body) })
      return { status: res.status, body: (await res.json()) as Record<string, any> }
    },
    [path, body, token] as const,
  )

async function passkeySignIn(): Promise<Reply> {
  const options = await call('/passkeys/login/options', {})
  const assertion = await page.evaluate(async (o) => (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o) })).toJSON(), options.body)
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
  const credential = await page.evaluate(async (o) => (await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o) })).toJSON(), options.body)
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
