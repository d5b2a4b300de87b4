// The account app's "Move your account here" wizard in headless Chromium, moving an account from the real
// reference PDS (@atproto/pds) onto ours: sign in to the old server, watch the copy, reload mid-way and
// find the wizard where it stood, a wrong code refused beside its field, then the emailed PLC code,
// activation and the old account deactivated. Afterwards both servers and the PLC directory agree.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../../helpers/chromium.ts'
import { createAccount, startPeers, xrpc, PNG_1x1, type Peer, type Peers } from '../../interop/peers.ts'
import { checkView, fieldError } from './harness.ts'

let env: Peers
let browser: Browser
let ours: Peer
let reference: Peer
beforeAll(async () => {
  const launching = launchChromium()
  env = await startPeers({ appView: true })
  browser = await launching
  ours = env.peers.find((p) => p.name === 'ours')!
  reference = env.peers.find((p) => p.name === 'reference')!
}, 600_000)
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

test('move an account from the reference PDS with the wizard, resuming after a reload', async () => {
  const account = await createAccount(reference, 'wizard')
  const images = []
  for (let i = 0; i < 6; i++) images.push((await account.agent.uploadBlob(Uint8Array.from([...PNG_1x1, i]), { encoding: 'image/png' })).data.blob)
  for (const [i, image] of images.entries()) {
    await account.agent.post({ text: `picture ${i}`, embed: { $type: 'app.bsky.embed.images', images: [{ image, alt: '' }] }, createdAt: new Date().toISOString() })
  }
  const prefs = [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: true }]
  await account.agent.app.bsky.actor.putPreferences({ preferences: prefs })

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: ours.url })
  context.setDefaultTimeout(30_000)
  const page = await context.newPage()
  await page.goto('/account/sign-in')
  await page.getByRole('link', { name: 'Move your account here' }).click()
  await page.waitForURL('**/account/move-here')
  await checkView(page, 'move-here-start')

  // A wrong password there: the wizard says so and nothing exists here.
  await page.getByLabel('Old server', { exact: true }).fill(reference.url)
  await page.getByLabel('Handle or email there', { exact: true }).fill(account.handle)
  await page.getByLabel('Password there', { exact: true }).fill('not-the-password')
  await page.getByRole('button', { name: 'Start moving' }).click()
  await page.getByText('The move stopped').waitFor()
  expect(await page.getByRole('alert').first().textContent()).toContain('cannot log in to')
  expect((await xrpc(ours.url, 'com.atproto.repo.describeRepo', { params: { repo: account.did } })).status).toBe(400)

  // Right password: the copy runs; a reload mid-way shows the wizard where it stands.
  await page.getByLabel(`Password on ${reference.url}`).fill(account.password)
  await page.getByRole('button', { name: 'Try again' }).click()
  await page.waitForURL('**/account/move-here')
  await page.reload()
  await page.getByRole('heading', { name: 'Moving your account' }).waitFor()
  await page.getByText('emailed you a confirmation code').waitFor({ timeout: 60_000 })
  await page.reload()
  await page.getByText('emailed you a confirmation code').waitFor()
  expect(await page.getByText('Pictures and other files').locator('..').textContent()).toContain('6 copied')
  await checkView(page, 'move-here-confirm')

  // The wrong code: refused by the old server, said on the page; the right one finishes the move.
  const token = await env.smtp.tokenFor(account.email)
  await page.getByLabel('Code from the email').fill('WRONG-CODE1')
  await page.getByRole('button', { name: 'Finish the move' }).click()
  await page.getByText('The move stopped').waitFor({ timeout: 60_000 })
  expect(await page.getByRole('alert').first().textContent()).toContain('refused to sign the PLC operation')
  // Trying again asks for a fresh code (the old server sends a new one), then the fresh code finishes.
  await page.getByLabel(`Password on ${reference.url}`).fill(account.password)
  await page.getByRole('button', { name: 'Try again' }).click()
  await page.getByText('emailed you a confirmation code').waitFor({ timeout: 60_000 })
  const fresh = await waitForNewToken(account.email, token)
  await page.getByLabel('Code from the email').fill(fresh)
  await page.getByRole('button', { name: 'Finish the move' }).click()
  await page.getByText('Your account now lives here').waitFor({ timeout: 60_000 })
  expect(await page.getByText('Your account now lives here').textContent()).toContain(`@${account.handle}`)
  await checkView(page, 'move-here-done')

  // Both servers and the PLC directory agree.
  const doc = (await (await fetch(`${env.plc.url}/${account.did}/data`)).json()) as { services: Record<string, { endpoint: string }> }
  expect(doc.services.atproto_pds!.endpoint).toBe(env.ours.config.service.publicUrl)
  expect((await xrpc(ours.url, 'com.atproto.sync.getRepoStatus', { params: { did: account.did } })).json).toMatchObject({ active: true })
  expect((await xrpc(reference.url, 'com.atproto.sync.getRepoStatus', { params: { did: account.did } })).json).toMatchObject({ active: false, status: 'deactivated' })
  const here = new AtpAgent({ service: ours.url })
  await here.login({ identifier: account.did, password: account.password })
  expect((await here.com.atproto.server.checkAccountStatus()).data).toMatchObject({ activated: true, validDid: true, expectedBlobs: 6, importedBlobs: 6 })
  expect((await here.app.bsky.actor.getPreferences()).data.preferences).toEqual(prefs)
  expect((await here.com.atproto.repo.listRecords({ repo: account.did, collection: 'app.bsky.feed.post' })).data.records.length).toBe(6)
  await context.close()
}, 240_000)

test('bad input: a server that is not a URL and missing fields are said beside the form, nothing starts', async () => {
  const context = await browser.newContext({ baseURL: ours.url })
  const page = await context.newPage()
  await page.goto('/account/move-here')
  await page.getByLabel('Old server', { exact: true }).fill('not a server')
  await page.getByLabel('Handle or email there', { exact: true }).fill('someone.test')
  await page.getByLabel('Password there', { exact: true }).fill('x')
  await page.getByRole('button', { name: 'Start moving' }).click()
  await page.getByText('Enter the address of your old server').waitFor()
  expect(page.url()).toEndWith('/account/move-here')
  await page.getByLabel('Handle or email there', { exact: true }).fill('')
  await page.getByLabel('Old server', { exact: true }).fill(reference.url)
  await page.evaluate('document.querySelectorAll("[required]").forEach((e) => e.removeAttribute("required"))')
  await page.getByRole('button', { name: 'Start moving' }).click()
  expect(await fieldError(page, 'Handle or email there')).toBe('Enter your handle or email there.')
  await context.close()
})

async function waitForNewToken(email: string, old: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const token = await env.smtp.tokenFor(email)
    if (token !== old) return token
    await Bun.sleep(100)
  }
  throw new Error('no new token')
}
