// The login and consent pages in a real browser (headless Chromium through playwright-core): an app using
// the official @atproto/oauth-client-node signs a user in, posts, refreshes and signs out. Also: a wrong
// password, the remembered-account chooser, the strict CSP, no external requests, a phone-sized layout.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Agent } from '@atproto/api'
import type { NodeSavedSession } from '@atproto/oauth-client-node'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium } from '../helpers/chromium.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { signUp } from '../oauth/flow.ts'
import { loopbackOAuthClient, memoryStore } from '../oauth/node-client.ts'
import { startCallbackApp, type CallbackApp } from '../oauth/callback-app.ts'

// The browser-side globals used in page.evaluate callbacks (the project's lib has no DOM types).
declare const document: { documentElement: { scrollWidth: number } }
declare function getComputedStyle(element: unknown): { backgroundColor: string }

const SCOPE = 'atproto transition:generic'
const SCREENSHOT = '/tmp/oauth-consent.png'

let plc: TestPlc
let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
let app: CallbackApp
let browser: Browser
let context: BrowserContext
/** Every URL the browser asked for, and every console message (CSP violations are reported there). */
const requested: string[] = []
const consoleErrors: string[] = []

const redirectUri = () => app.redirectUri
const pdsOrigin = () => server.config.service.publicUrl

const sessions = memoryStore<NodeSavedSession>()

beforeAll(async () => {
  // Chromium starts while the server and the account are being set up.
  const launching = launchChromium()
  launching.catch(() => {}) // reported by the await below, not as an unhandled rejection meanwhile
  plc = await startPlcDirectory()
  server = await startTestServer({ PDS_DID_PLC_URL: plc.url })
  alice = await signUp(server, 'alice')
  app = startCallbackApp()
  browser = await launching
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  context.setDefaultTimeout(5000)
  context.on('request', (r) => void requested.push(r.url()))
  context.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())))
})
afterAll(async () => {
  await browser?.close()
  app?.stop()
  await server?.close()
  await plc?.close()
})

function newClient() {
  return loopbackOAuthClient({ redirectUri: redirectUri(), scope: SCOPE, plcUrl: plc.url, pdsUrl: server.url, sessionStore: sessions })
}

/** Resolves with the query of the next request to the app's redirect URI. */
const nextCallback = () => app.nextCallback()

/** Clicks a form's button and waits for the page the POST returns. */
async function submit(page: Page, button: string) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest())
  await page.getByRole('button', { name: button, exact: true }).click()
  const res = await posted
  await page.waitForLoadState('load')
  return res
}

test('sign in through the browser, consent, post, refresh, sign out', async () => {
  const client = newClient()
  const authorizeUrl = await client.authorize(alice.handle, { scope: SCOPE, state: 'app-state' })
  expect(authorizeUrl.origin).toBe(pdsOrigin())
  const page = await context.newPage()

  const first = await page.goto(authorizeUrl.href)
  expect(first!.status()).toBe(200)
  const csp = first!.headers()['content-security-policy']!
  expect(csp).toContain("default-src 'none'")
  expect(csp).toContain("frame-ancestors 'none'")
  expect(csp).toMatch(/style-src 'nonce-[^']+'/)
  expect(first!.headers()['x-frame-options']).toBe('DENY')
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in')
  // The page's only stylesheet is the nonce'd inline one: if the CSP blocked it, the button would be unstyled.
  const buttonColour = await page.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor)
  expect(buttonColour).toBe('rgb(20, 99, 255)')

  // A wrong password: the same page again with an error, nothing else.
  await page.getByLabel('Handle or email').fill(alice.handle)
  await page.getByLabel('Password').fill('not-the-password')
  expect((await submit(page, 'Sign in')).status()).toBe(401)
  await expect(page.getByRole('alert').textContent()).resolves.toBe('Wrong handle or password.')
  await expect(page.getByLabel('Handle or email').inputValue()).resolves.toBe(alice.handle)
  await page.screenshot({ path: '/tmp/oauth-sign-in.png', fullPage: true })

  await page.getByLabel('Password').fill(alice.password)
  await submit(page, 'Sign in')
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Authorize access')
  const body = await page.locator('main').innerText()
  expect(body).toContain(`@${alice.handle}`)
  expect(body).toContain('development app on this computer')
  const permissions = await page.locator('li').allInnerTexts()
  expect(permissions).toEqual([
    'Know who you are: your handle and account identifier (DID).',
    'Read and change everything in your account, like an app password: posts, likes, follows, lists, profile and uploads (not your private messages).',
  ])
  // Phone-sized: nothing wider than the screen (no sideways scrolling), both buttons on screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  for (const name of ['Allow', 'Deny']) {
    const box = (await page.getByRole('button', { name, exact: true }).boundingBox())!
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(390)
    expect(box.height).toBeGreaterThanOrEqual(40) // comfortable touch targets, sharing the row
    expect(box.width).toBeGreaterThanOrEqual(120)
  }
  await page.screenshot({ path: SCREENSHOT, fullPage: true })

  const callback = nextCallback()
  await submit(page, 'Allow')
  const params = await callback
  expect(page.url()).toStartWith(redirectUri())
  expect(params.get('iss')).toBe(pdsOrigin())

  const { session, state } = await client.callback(params)
  expect(state).toBe('app-state')
  expect(session.did as string).toBe(alice.did)

  const agent = new Agent(session)
  const text = `posted from Chromium ${Date.now()}`
  const created = await agent.com.atproto.repo.createRecord({
    repo: alice.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
  })
  const rkey = created.data.uri.split('/').pop()!
  const read = await agent.com.atproto.repo.getRecord({ repo: alice.did, collection: 'app.bsky.feed.post', rkey })
  expect((read.data.value as { text: string }).text).toBe(text)

  const before = structuredClone(sessions.map.get(alice.did))!
  const info = await session.getTokenInfo(true) // forces a refresh
  expect(info.sub as string).toBe(alice.did)
  expect(sessions.map.get(alice.did)!.tokenSet.access_token).not.toBe(before.tokenSet.access_token)
  expect((await agent.com.atproto.server.getSession()).data.did).toBe(alice.did)

  // Sign out, then put the (refreshed) tokens back in the app's store: the server must refuse them.
  const refreshed = structuredClone(sessions.map.get(alice.did))!
  await session.signOut()
  expect(sessions.map.has(alice.did)).toBe(false)
  sessions.map.set(alice.did, refreshed)
  const stale = await client.restore(alice.did, false)
  await expect(new Agent(stale).com.atproto.server.getSession()).rejects.toThrow()
  sessions.map.delete(alice.did)
  await page.close()
}, 15_000)

test('a second authorization in the same browser offers the remembered account', async () => {
  const client = newClient()
  // Starting from the server's URL (no login hint) lets the page choose among remembered accounts.
  const authorizeUrl = await client.authorize(pdsOrigin(), { scope: SCOPE, state: 'again' })
  const page = await context.newPage()
  await page.goto(authorizeUrl.href)
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Choose an account')
  expect(await page.getByLabel('Password').count()).toBe(0)

  // Consent was given in the first test, so picking the account goes straight back to the app.
  const callback = nextCallback()
  await page.getByRole('button', { name: `@${alice.handle}` }).click()
  const params = await callback
  const { session, state } = await client.callback(params)
  expect(state).toBe('again')
  expect(session.did as string).toBe(alice.did)
  expect((await new Agent(session).com.atproto.server.getSession()).data.handle).toBe(alice.handle)
  await session.signOut()
  await page.close()
}, 10_000)

test('Cancel on the sign-in page sends the app access_denied', async () => {
  const client = newClient()
  const authorizeUrl = await client.authorize(alice.handle, { scope: SCOPE })
  // A fresh browser remembers nobody, so this is the sign-in page.
  const fresh = await browser.newContext({ viewport: { width: 390, height: 844 } })
  fresh.on('request', (r) => void requested.push(r.url()))
  fresh.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())))
  const page = await fresh.newPage()
  await page.goto(authorizeUrl.href)
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in')
  const callback = nextCallback()
  await page.getByRole('button', { name: 'Cancel' }).click()
  const params = await callback
  expect(params.get('error')).toBe('access_denied')
  await expect(client.callback(params)).rejects.toThrow(/access_denied|Access denied/)
  await fresh.close()
}, 10_000)

test('the pages load nothing from anywhere else and break no CSP rule', () => {
  expect(requested.length).toBeGreaterThan(0)
  const origins = new Set(requested.map((u) => new URL(u).origin))
  // The PDS pages, and the final redirect to the app's own callback (the point of the flow).
  expect([...origins].sort()).toEqual([pdsOrigin(), new URL(redirectUri()).origin].sort())
  expect(requested.filter((u) => u.startsWith(new URL(redirectUri()).origin)).every((u) => u.startsWith(redirectUri()))).toBe(true)
  expect(consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([])
})
