// Passkey-only accounts in headless Chromium with a virtual authenticator: one made at sign-up without a
// password, one converted (password removed after confirming it is you). Either signs in to an app
// through OAuth with its passkey, makes an app password for a legacy app (which then signs in with
// createSession), and is refused clearly when anything tries its password. The last passkey of such an
// account cannot be removed.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { Agent, AtpAgent } from '@atproto/api'
import type { Page } from 'playwright-core'
import { addPasskey, checkView, fieldError, signIn, signOut, startWebHarness, type WebHarness } from './harness.ts'
import { loopbackOAuthClient } from '../../oauth/node-client.ts'
import { startCallbackApp, type CallbackApp } from '../../oauth/callback-app.ts'

setDefaultTimeout(90_000)

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

const NO_PASSWORD = 'This account has no password'
const accounts = () => h.server.services.accounts

/** An app signs in through the OAuth page with the passkey; returns its agent. */
async function oauthWithPasskey(page: Page, did: string, tryPasswordAs?: string): Promise<Agent> {
  const scope = 'atproto transition:generic'
  const client = loopbackOAuthClient({ redirectUri: app.redirectUri, scope, plcUrl: h.plc.url, pdsUrl: h.server.url })
  const url = await client.authorize(h.server.config.service.publicUrl, { scope, prompt: 'login' })
  await page.goto(url.href)
  if (tryPasswordAs) {
    // A password typed for the account: the page says it has none, and offers the passkey still.
    await page.getByLabel('Handle or email').fill(tryPasswordAs)
    await page.getByLabel('Password', { exact: true }).fill('a-guess-at-a-password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    expect(await page.getByRole('alert').textContent()).toContain(NO_PASSWORD)
  }
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.getByRole('heading', { name: 'Authorize access', level: 1 }).waitFor()
  const callback = app.nextCallback()
  await page.getByRole('button', { name: 'Allow', exact: true }).click()
  const { session } = await client.callback(await callback)
  expect(session.did as string).toBe(did)
  return new Agent(session)
}

/** Creates an app password in the account app; returns it. */
async function makeAppPassword(page: Page, name: string): Promise<string> {
  await page.goto('/account/app-passwords')
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByRole('button', { name: 'Create app password' }).click()
  return (await page.locator('code.secret').first().textContent())!.trim()
}

const post = (agent: Agent | AtpAgent, did: string, text: string) =>
  agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() } })

test('sign up with a passkey and no password; OAuth with the passkey; an app password for a legacy app; the password refused clearly', async () => {
  const { context, page, consoleErrors } = await h.newContext({ passkeys: true })
  await page.goto('/account/sign-up')
  await page.getByRole('link', { name: 'Create an account with a passkey instead of a password' }).click()
  await page.waitForURL('**/account/sign-up?with=passkey')
  expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0)
  await page.getByLabel('Handle', { exact: true }).fill('pia')
  await page.getByLabel('Email address').fill('pia@example.com')
  await checkView(page, 'sign-up-passkey')
  await page.getByRole('button', { name: 'Create account with a passkey' }).click()
  await page.waitForURL('**/account/email?done=welcome')
  const pia = accounts().getAccount('pia.test')!
  expect(accounts().hasPassword(pia.did)).toBe(false)
  expect(accounts().factors.passkeys.list(pia.did).map((k) => k.name)).toEqual(['Passkey from sign-up'])

  // Apps asking for a password are told why it cannot work.
  for (const password of ['passkey-only', 'anything']) {
    const err = await new AtpAgent({ service: h.server.url }).login({ identifier: 'pia.test', password }).catch((e) => e)
    expect(err.status).toBe(401)
    expect(err.message).toContain(NO_PASSWORD)
  }

  // The Security view says how it signs in; its only passkey cannot be removed.
  await page.goto('/account/security')
  await page.getByText('Your account has no password').waitFor()
  await checkView(page, 'security-passkey-only')
  await page.getByRole('button', { name: 'Remove passkey Passkey from sign-up' }).click()
  await page.getByRole('alert').getByText('This is the only way into your account').waitFor()
  expect(accounts().factors.passkeys.list(pia.did)).toHaveLength(1)

  // An app signs in through OAuth with the passkey and posts.
  const agent = await oauthWithPasskey(page, pia.did, 'pia.test')
  await post(agent, pia.did, 'hello from a passkey-only account')

  // A legacy app: an app password made in the account app (signed in with the passkey a moment ago).
  const appPassword = await makeAppPassword(page, 'Old client')
  expect(appPassword).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/)
  const legacy = new AtpAgent({ service: h.server.url })
  await legacy.login({ identifier: 'pia.test', password: appPassword })
  await post(legacy, pia.did, 'hello from a legacy app')

  // The password form of the account app says so too.
  await signOut(page)
  await page.getByLabel('Handle or email').fill('pia.test')
  await page.getByLabel('Password', { exact: true }).fill('a-guess-at-a-password')
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  expect(await fieldError(page, 'Password')).toContain(NO_PASSWORD)
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('convert: remove the password after adding a passkey and confirming it is you; the password stops working, app passwords keep working', async () => {
  const rae = await h.signUp('rae')
  const { data: before } = await rae.agent.com.atproto.server.createAppPassword({ name: 'made-before' })
  const { context, page } = await h.newContext({ passkeys: true })
  await signIn(page, 'rae.test', rae.password, '/account/security')
  await page.getByText('Add a passkey first; then you can remove your password').waitFor()
  await addPasskey(page, 'Laptop')

  // Long after signing in: removing the password asks to confirm it is you first (a passkey will do).
  h.server.services.accounts.manager.db.query('UPDATE web_session SET authenticatedAt = 0 WHERE did = ?').run(rae.did)
  await page.getByRole('button', { name: 'Remove my password' }).click()
  await page.waitForURL('**/account/confirm-password**')
  expect(accounts().hasPassword(rae.did)).toBe(true)
  await page.getByRole('button', { name: 'Confirm with a passkey' }).click()
  await page.waitForURL('**/account/security?done=passkey-added')
  await page.getByRole('button', { name: 'Remove my password' }).click()
  await page.waitForURL('**/account/security?done=password-removed')
  expect(accounts().hasPassword(rae.did)).toBe(false)
  expect(h.smtp.mails.findLast((m) => m.to.includes(rae.email))?.raw).toContain('password of your account was removed')
  expect(accounts().factors.auditTrail(rae.did).map((a) => a.action)).toEqual(['passkey-added', 'password-removed'])

  // The old password: refused clearly; its API session ended. The app password made before still works.
  const err = await new AtpAgent({ service: h.server.url }).login({ identifier: 'rae.test', password: rae.password }).catch((e) => e)
  expect(err.message).toContain(NO_PASSWORD)
  const refresh = await fetch(`${h.server.url}/xrpc/com.atproto.server.refreshSession`, { method: 'POST', headers: { authorization: `Bearer ${rae.agent.session!.refreshJwt}` } })
  expect(refresh.status).toBe(400)
  const legacy = new AtpAgent({ service: h.server.url })
  await legacy.login({ identifier: 'rae.test', password: before.password })
  await post(legacy, rae.did, 'still here')

  await signOut(page)
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.waitForURL((u) => u.pathname === '/account')
  await oauthWithPasskey(page, rae.did)
  await context.close()
})
