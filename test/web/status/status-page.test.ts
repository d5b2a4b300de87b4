// The public status page at / in headless Chromium: software and version, handle domains, contact and
// policy links, live totals; nothing private; cacheable; axe-clean at phone and desktop widths with
// no CSP violation. Clients that do not ask for HTML still get the text banner.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { VERSION } from '../../../src/version.ts'
import type { Sequencer } from '../../../src/services/sequencer/sequencer.ts'
import { checkView, startWebHarness, type WebHarness } from '../account/harness.ts'

let h: WebHarness
let alice: Awaited<ReturnType<WebHarness['signUp']>>

beforeAll(async () => {
  h = await startWebHarness({
    PDS_SERVICE_NAME: 'Example <PDS> & friends',
    PDS_CONTACT_EMAIL_ADDRESS: 'ops@example.com',
    PDS_PRIVACY_POLICY_URL: 'https://example.com/privacy',
    PDS_TERMS_OF_SERVICE_URL: 'https://example.com/terms',
  })
  alice = await h.signUp('alice')
  await h.signUp('bob')
  for (let i = 0; i < 3; i++) await alice.agent.post({ text: `post ${i}`, createdAt: new Date().toISOString() })
  await publishedSeq()
})
afterAll(() => h.close())

const sequencer = () => h.server.services.events as Sequencer
/**
 * The firehose sequence once every appended event is published: a write is acknowledged when its event
 * is appended, and published a moment later (once its group commit is on disk).
 */
async function publishedSeq(): Promise<number> {
  const seq = sequencer()
  for (let i = 0; seq.publishedSeq !== seq.store.curr(); i++) {
    if (i === 200) throw new Error(`firehose stuck at ${seq.publishedSeq}, appended ${seq.store.curr()}`)
    await Bun.sleep(5)
  }
  return seq.publishedSeq
}

describe('status page', () => {
  test('shows what the server is, whom to contact and live totals, and names nobody', async () => {
    const { page, consoleErrors } = await h.newContext()
    const res = await page.goto('/')
    expect(res!.status()).toBe(200)
    const headers = res!.headers()
    expect(headers['content-type']).toBe('text/html; charset=utf-8')
    expect(headers['cache-control']).toBe('public, max-age=30')
    expect(headers['content-security-policy']).toMatch(/default-src 'none'; style-src 'nonce-[\w-]+'/)
    // The operator's text is escaped, never markup.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Example <PDS> & friends')
    const facts = await page.locator('dl.facts').textContent()
    expect(facts).toContain(`pds ${VERSION}`)
    expect(facts).toContain('*.test')
    expect(await page.getByRole('link', { name: 'ops@example.com' }).getAttribute('href')).toBe('mailto:ops@example.com')
    expect(await page.getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe('https://example.com/privacy')
    expect(await page.getByRole('link', { name: 'Terms of service' }).getAttribute('href')).toBe('https://example.com/terms')
    const stats = await page.locator('.stat').allTextContents()
    expect(stats).toEqual(['2', '3', String(await publishedSeq())])
    const html = await page.content()
    for (const secret of [alice.did, alice.handle, alice.email, 'bob']) expect(html).not.toContain(secret)
    await checkView(page, 'status-page')
    expect(consoleErrors).toEqual([])
  })

  test('the firehose sequence is live; accounts and records are a recent count (cached)', async () => {
    await alice.agent.post({ text: 'one more', createdAt: new Date().toISOString() })
    const seq = await publishedSeq()
    const text = await (await fetch(`${h.server.url}/`, { headers: { accept: 'text/html' } })).text()
    expect(text).toContain(`<div class="stat">${seq}</div>`)
    expect(text).toContain('<div class="stat">3</div>')
  })

  test('curl, monitors and Accept: text/plain get the text banner', async () => {
    for (const accept of [undefined, '*/*', 'text/plain']) {
      const res = await fetch(`${h.server.url}/`, { headers: accept ? { accept } : {} })
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      expect(await res.text()).toContain('This is an AT Protocol Personal Data Server')
    }
  })
})
