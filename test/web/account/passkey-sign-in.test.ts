// Signing in with a passkey on the web, in headless Chromium with a virtual authenticator: the account
// app's "Sign in with a passkey" (username-less; no second factor asked even with an authenticator app
// on), confirming it is you with a passkey, and the OAuth sign-in page (an app using the official
// @atproto/oauth-client-node gets a session). Refused: no answer, a malformed one, another origin or RP
// ID, a replayed challenge, another account's passkey at the confirm step.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { Agent } from '@atproto/api'
import type { Page } from 'playwright-core'
import { insertPasskey } from '../../../src/storage/account/factors.ts'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { addPasskey, checkView, csrfOn, rawPost, signIn, signOut, startWebHarness, type WebHarness } from './harness.ts'
import { loopbackOAuthClient } from '../../oauth/node-client.ts'
import { startCallbackApp, type CallbackApp } from '../../oauth/callback-app.ts'

setDefaultTimeout(90_000)

// Browser-side globals inside page.evaluate (the project's lib has no DOM types).
declare const navigator: { credentials: { get(o: unknown): Promise<{ toJSON(): unknown }> } }
declare const PublicKeyCredential: { parseRequestOptionsFromJSON(o: unknown): unknown }

let h: WebHarness
let app: CallbackApp
beforeAll(async () => {
  h = await startWebHarness()
  app = startCallbackApp()
})
afterAll(async () => {
  app?.stop()
  await h?.close()
})

/** An assertion from the page's authenticator for a challenge of the account app's sign-in. */
async function assertionFor(page: Page, optionsPath = '/account/sign-in/passkey/options'): Promise<Record<string, any>> {
  const csrf = await csrfOn(page)
  return page.evaluate(
    async ([path, csrf]) => {
      const res = await fetch(path as string, { method: 'POST', body: new URLSearchParams({ csrf_token: csrf as string }) })
      const options = await res.json()
      return (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) })).toJSON()
    },
    [optionsPath, csrf] as const,
  ) as Promise<Record<string, any>>
}

test('account app: sign in with a passkey and no username, even with an authenticator app on; confirm it is you with a passkey', async () => {
  const ana = await h.signUp('ana')
  const factors = h.server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(ana.did)
  await factors.finishTotpSetup(ana.did, totpAt(secret, Date.now()))
  const { context, page, consoleErrors, authenticator } = await h.newContext({ passkeys: true })
  await page.goto('/account/security')
  await page.getByLabel('Handle or email').fill('ana.test')
  await page.getByLabel('Password', { exact: true }).fill(ana.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByLabel('Code from your authenticator app or email, or a backup code').fill(totpAt(secret, Date.now() + 30_000))
  await page.getByLabel('Password', { exact: true }).fill(ana.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL('**/account/security')
  await addPasskey(page, 'Laptop')
  // A discoverable credential (resident key) whose user handle is the account's DID.
  const [stored] = await authenticator!.credentials()
  expect(stored!.isResidentCredential).toBe(true)
  expect(Buffer.from(stored!.userHandle!, 'base64').toString()).toBe(ana.did)
  await signOut(page)

  await page.goto('/account/sign-in?next=/account/security')
  const button = page.getByRole('button', { name: 'Use a passkey' })
  await button.waitFor()
  await checkView(page, 'sign-in-passkey')
  await button.click()
  await page.waitForURL('**/account/security')
  await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor()
  expect(factors.passkeys.list(ana.did)[0]!.lastUsedAt).toBeTruthy()

  // Later (the confirm window passed): a sensitive change asks again; a passkey confirms it.
  const db = h.server.services.accounts.manager.db
  db.query('UPDATE web_session SET authenticatedAt = 0 WHERE did = ?').run(ana.did)
  await page.goto('/account/password')
  await page.waitForURL('**/account/confirm-password**')
  await checkView(page, 'confirm-passkey')
  await page.getByRole('button', { name: 'Confirm with a passkey' }).click()
  await page.waitForURL('**/account/password')
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('refused: no answer, malformed answers, another origin or RP ID, a replayed challenge, another account at the confirm step', async () => {
  const ben = await h.signUp('ben')
  const cai = await h.signUp('cai')
  const { context, page } = await h.newContext({ passkeys: true })
  await signIn(page, 'ben.test', ben.password, '/account/security')
  await addPasskey(page, 'Key')
  await signOut(page)

  // The browser gives nothing (the call fails on this page): said on the page, nobody signed in.
  await page.evaluate(() => {
    ;(globalThis as any).navigator.credentials.get = () => Promise.reject(new Error('cancelled'))
  })
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.waitForURL('**/account/sign-in/passkey')
  await page.getByRole('alert').getByText('Your browser did not give a passkey').waitFor()
  expect(h.server.services.accounts.webSessions.list(ben.did)).toEqual([])

  const post = async (response: unknown) => {
    await page.goto('/account/sign-in')
    const res = await rawPost(context, h.server.config.service.publicUrl, '/account/sign-in/passkey', { csrf_token: await csrfOn(page), response: JSON.stringify(response) }, { origin: h.server.config.service.publicUrl })
    return { status: res.status, text: await res.text() }
  }
  await page.goto('/account/sign-in')
  const good = await assertionFor(page)
  const clientData = JSON.parse(Buffer.from(good.response.clientDataJSON, 'base64url').toString())
  const otherOrigin = { ...good, response: { ...good.response, clientDataJSON: Buffer.from(JSON.stringify({ ...clientData, origin: 'https://evil.example' })).toString('base64url') } }
  const wrongOrigin = await post(otherOrigin)
  expect(wrongOrigin.status).toBe(401)
  expect(wrongOrigin.text).toContain('origin')

  const second = await assertionFor(page)
  const authData = Buffer.from(second.response.authenticatorData, 'base64url')
  authData.fill(7, 0, 32) // the RP ID hash is no longer sha256('localhost')
  const wrongRp = await post({ ...second, response: { ...second.response, authenticatorData: authData.toString('base64url') } })
  expect(wrongRp.status).toBe(401)
  expect(wrongRp.text).toContain('RP ID')

  for (const response of ['garbage', { id: 'nope' }, { ...second, response: { clientDataJSON: 'x' } }]) {
    expect((await post(response)).status).toBe(401)
  }
  expect(h.server.services.accounts.webSessions.list(ben.did)).toEqual([])

  // A good answer signs in once; the same answer again finds its challenge spent.
  const third = await assertionFor(page)
  expect((await post(third)).status).toBe(303)
  const replay = await post(third)
  expect(replay.status).toBe(401)
  expect(replay.text).toContain('challenge')

  // Signed in as cai (a passkey on another device), ben's passkey does not confirm it is cai.
  insertPasskey(h.server.services.accounts.manager.db, { id: 'cai-other-device', did: cai.did, name: 'Elsewhere', publicKey: new Uint8Array([1]), counter: 0, transports: null, createdAt: new Date().toISOString() })
  await context.clearCookies()
  await signIn(page, 'cai.test', cai.password, '/account')
  await page.goto('/account/confirm-password?next=/account/password')
  await page.getByRole('button', { name: 'Confirm with a passkey' }).click()
  await page.waitForURL('**/account/confirm-password/passkey')
  await page.getByRole('alert').getByText('That passkey belongs to another account').waitFor()
  await context.close()
})

test('OAuth sign-in page: an app signs a person in with a passkey and no username', async () => {
  const dee = await h.signUp('dee')
  const { context, page, consoleErrors } = await h.newContext({ passkeys: true })
  await signIn(page, 'dee.test', dee.password, '/account/security')
  await addPasskey(page, 'Phone')

  const scope = 'atproto transition:generic'
  const client = loopbackOAuthClient({ redirectUri: app.redirectUri, scope, plcUrl: h.plc.url, pdsUrl: h.server.url })
  // From the server's URL: no handle given, so the page asks who is signing in.
  const url = await client.authorize(h.server.config.service.publicUrl, { scope, state: 'pk' })
  await page.goto(url.href)
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
  await checkView(page, 'oauth-sign-in-passkey')
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.getByRole('heading', { name: 'Authorize access', level: 1 }).waitFor()
  expect(await page.locator('main').innerText()).toContain('@dee.test')
  const callback = app.nextCallback()
  await page.getByRole('button', { name: 'Allow', exact: true }).click()
  const { session, state } = await client.callback(await callback)
  expect(state).toBe('pk')
  expect(session.did as string).toBe(dee.did)
  expect((await new Agent(session).com.atproto.server.getSession()).data.handle).toBe('dee.test')

  // A malformed answer on the OAuth page: the sign-in page again with the reason.
  const again = await client.authorize(h.server.config.service.publicUrl, { scope, state: 'pk2', prompt: 'login' })
  await page.goto(again.href)
  await page.evaluate(() => {
    const form = (globalThis as any).document.querySelector('form[data-passkey-sign-in]')
    form.querySelector('input[name=response]').value = '{"id":"nope"}'
  })
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.getByRole('alert').getByText('This passkey is not registered here.').waitFor()
  expect(consoleErrors).toEqual([])
  await context.close()
})
