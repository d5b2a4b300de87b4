// Invites and the server page in the console: create a code, see its uses once someone signs up with it,
// disable it (each audited); the server page shows accounts by state, records, the firehose's head and
// subscribers, a relay asked to crawl, recent errors from the log, the health monitor's alerts, the disk's
// recent sync times, and the configuration with secrets masked.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { csrfOn, rawPost, startWebHarness, type WebHarness } from '../account/harness.ts'
import { subscribeRepos } from '../../helpers/firehose.ts'
import { adminSignIn, checkView } from './helpers.ts'

setDefaultTimeout(90_000)

// A relay that accepts every requestCrawl (com.atproto.sync.requestCrawl's documented answer: 200).
const crawled: string[] = []
const relay = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: async (req) => {
    crawled.push(new URL(req.url).pathname)
    return Response.json({})
  },
})

let h: WebHarness
beforeAll(async () => {
  // A disk alert threshold of 0%: any used disk raises the disk-full alert the server page must show.
  h = await startWebHarness({ PDS_INVITE_REQUIRED: 'true', PDS_CRAWLERS: `http://127.0.0.1:${relay.port}`, PDS_ALERT_DISK_USED_PERCENT: '0' })
})
afterAll(async () => {
  await h?.close()
  relay.stop(true)
})

test('create an invite code, see it used, disable it', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await adminSignIn(page, '/admin/invites')
  await page.getByLabel('Uses').fill('2')
  await page.getByRole('button', { name: 'Create code' }).click()
  const code = (await page.locator('.notice code').textContent())!.trim()
  expect(code).toMatch(/^localhost-[a-z2-7]{5}-[a-z2-7]{5}$/)

  const sam = await h.signUp('sam', { inviteCode: code })
  await page.goto('/admin/invites')
  const item = page.locator('ul.items > li', { hasText: code })
  await item.getByText('1 of 2 left').waitFor()
  await item.getByRole('link', { name: '@sam.test' }).waitFor()
  await checkView(page, 'invites')

  await item.getByRole('button', { name: `Disable ${code}` }).click()
  await page.getByText(`Disabled ${code}.`).waitFor()
  await page.locator('ul.items > li', { hasText: code }).getByText('Disabled', { exact: true }).waitFor()
  await expect(h.signUp('tom', { inviteCode: code })).rejects.toThrow(/invite code/i)

  // For an account: listed as that account's code.
  await page.getByLabel('Uses').fill('1')
  await page.getByLabel('For account (optional)').fill('sam.test')
  await page.getByRole('button', { name: 'Create code' }).click()
  const samsCode = (await page.locator('.notice code').textContent())!.trim()
  expect(h.server.services.accounts.getAccountInviteCodes(sam.did).map((c) => c.code)).toContain(samsCode)

  // A refused input (the browser's own check bypassed) is said on the page and creates nothing.
  const before = h.server.services.accounts.listInviteCodes(undefined, 1000).codes.length
  const refused = await rawPost(context, h.server.url, '/admin/invites/create', { uses: '0', csrf_token: await csrfOn(page) }, { origin: h.server.url })
  expect(refused.status).toBe(400)
  expect(await refused.text()).toContain('Uses must be a whole number from 1 to 1000.')
  expect(h.server.services.accounts.listInviteCodes(undefined, 1000).codes.length).toBe(before)

  await page.goto('/admin/audit')
  const text = (await page.locator('table.data').textContent())!
  expect(text).toContain('disable-invite')
  expect(text).toContain(`${code}`)
  expect(text).toContain('2 uses')
  expect(text).toContain(`1 use for ${sam.did}`)
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('the server page', async () => {
  const [{ codes }] = h.server.services.accounts.createInviteCodes(['admin'], 1, 5)
  const uma = await h.signUp('uma', { inviteCode: codes[0]! })
  const vic = await h.signUp('vic', { inviteCode: codes[0]! })
  await uma.agent.post({ text: 'one' })
  await uma.agent.post({ text: 'two' })
  h.server.services.accounts.setTakedown(vic.did, 'test')
  // A subscriber replaying from the start stays connected while the page is read.
  const sub = await subscribeRepos(h.server.port, { cursor: 0 })
  h.server.services.log.error('a failure worth seeing', { code: 'E_TEST_MARKER' })
  for (let i = 0; i < 100 && !crawled.includes('/xrpc/com.atproto.sync.requestCrawl'); i++) await Bun.sleep(50)
  let seen = -1
  while (seen !== sub.frames.length) {
    seen = sub.frames.length
    await Bun.sleep(200)
  }
  const head = Math.max(...sub.frames.map((f) => (f.body as { seq?: number }).seq ?? 0))

  const { context, page } = await h.newContext()
  await adminSignIn(page)
  const main = page.locator('main')
  await main.locator('section', { has: page.getByRole('heading', { name: 'Alerts' }) }).getByText('disk-full').waitFor()
  await main.getByText(/the data disk is [\d.]+% full \(alert above 0%\)/).waitFor()
  const stat = (label: string) => main.locator('.card', { has: page.getByText(label, { exact: true }) }).locator('.stat').textContent()
  expect(await stat('Taken down')).toBe('1')
  expect(Number(await stat('Active'))).toBeGreaterThanOrEqual(1)
  expect(Number(await stat('Records'))).toBeGreaterThanOrEqual(2)
  expect(Number((await stat('Firehose head seq'))!.replace(/,/g, ''))).toBe(head)
  expect(await stat('Firehose subscribers')).toBe('1')
  // The disk's recent sync times (the sign-ups and records above were synced before their answers).
  const storage = main.locator('section', { has: page.getByRole('heading', { name: 'Storage' }) })
  await storage.getByText(/^median [\d.]+ ms, slowest [\d.]+ ms \(the last \d+; every write waits for one\)$/).waitFor()
  await main.locator('span.mono', { hasText: `http://127.0.0.1:${relay.port}` }).waitFor()
  await main.getByText('accepted').waitFor()
  // The relay runs on 127.0.0.1, as the subscriber does: matched by address, it shows when it connected.
  const relayItem = main.locator('li', { hasText: `http://127.0.0.1:${relay.port}` })
  await relayItem.getByText(/Last connected to the firehose .* UTC \(its addresses: 127\.0\.0\.1\)/).waitFor()
  const subscribers = main.locator('section', { has: page.getByRole('heading', { name: 'Connected subscribers' }) })
  expect(await subscribers.locator('li').count()).toBe(1)
  await subscribers.locator('li span.mono', { hasText: '127.0.0.1' }).waitFor()
  await subscribers.getByText(/^Connected \d{4}-\d\d-\d\d \d\d:\d\d UTC$/).waitFor()
  await main.getByText(/E_TEST_MARKER/).waitFor()
  const config = (await main.locator('section', { has: page.getByRole('heading', { name: 'Configuration' }) }).textContent())!
  expect(config).toContain('PDS_ADMIN_PASSWORD')
  expect(config).not.toContain(h.server.config.secrets.adminPassword)
  expect(config).not.toContain(h.server.config.secrets.jwtSecret)
  expect(config).not.toContain(h.server.config.secrets.plcRotationKeyHex)
  await checkView(page, 'server-busy')
  sub.ws.close()
  // Gone from the connected list; the relay's last connect time stays.
  const nobody = subscribers.getByText('Nobody is connected to the firehose.')
  for (let i = 0; i < 50 && !(await nobody.isVisible()); i++) {
    await Bun.sleep(100)
    await page.reload()
  }
  await nobody.waitFor()
  await relayItem.getByText(/Last connected to the firehose/).waitFor()
  await context.close()
})
