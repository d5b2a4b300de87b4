// Browser tests of the account web app: the real server (with a PLC directory and an SMTP sink), headless
// Chromium, and checks every view shares: axe-core finds no serious or critical violation, nothing
// overflows a 390 px phone, no console errors (CSP violations land there), screenshots at 390 and 1280 px.
import { mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'bun:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { addVirtualAuthenticator, launchChromium, type VirtualAuthenticator } from '../../helpers/chromium.ts'
import { startAccountHarness, type AccountHarness } from '../../e2e/account-harness.ts'

// The browser-side globals used in page.evaluate callbacks (the project's lib has no DOM types).
declare const document: { documentElement: { scrollWidth: number } }
declare const axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> }

export const SCREENSHOT_DIR = join(tmpdir(), 'pds-account-screenshots')
const AXE_SOURCE = readFileSync(join(import.meta.dir, '../../../node_modules/axe-core/axe.min.js'), 'utf8')

export type WebHarness = AccountHarness & {
  browser: Browser
  /**
   * A fresh browser profile (its own cookies) at phone width. With `passkeys`: on the server's public
   * origin (`publicOrigin` alone: only that), with a virtual authenticator (its own passkeys) attached to the page.
   */
  newContext(opts?: { passkeys?: boolean; publicOrigin?: boolean }): Promise<{ context: BrowserContext; page: Page; consoleErrors: string[]; requested: string[]; authenticator?: VirtualAuthenticator }>
  close(): Promise<void>
}

export async function startWebHarness(env: Record<string, string> = {}): Promise<WebHarness> {
  const launching = launchChromium()
  launching.catch(() => {})
  const h = await startAccountHarness(env)
  const browser = await launching
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  return {
    ...h,
    browser,
    async newContext(opts: { passkeys?: boolean; publicOrigin?: boolean } = {}) {
      // Passkeys belong to the server's public origin (http://localhost:<port>): its hostname is the RP ID.
      // The OAuth pages are there too, so cookies shared with the account app need it.
      const baseURL = opts.passkeys || opts.publicOrigin ? h.server.config.service.publicUrl : h.server.url
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL })
      context.setDefaultTimeout(15_000)
      const consoleErrors: string[] = []
      const requested: string[] = []
      // Console errors other than the status of a page we answered with 4xx on purpose (CSP violations land here).
      context.on('console', (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of 4') && consoleErrors.push(m.text())))
      context.on('request', (r) => void requested.push(r.url()))
      const page = await context.newPage()
      return { context, page, consoleErrors, requested, authenticator: opts.passkeys ? await addVirtualAuthenticator(context, page) : undefined }
    },
    async close() {
      await browser.close()
      await h.close()
    },
  }
}

/** Signs in through the form; lands on `next` (the overview by default). */
export async function signIn(page: Page, identifier: string, password: string, next = '/account') {
  await page.goto(next)
  await page.getByLabel('Handle or email').fill(identifier)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'))
}

/** Adds a passkey from the Security view (the page is signed in, with a virtual authenticator). */
export async function addPasskey(page: Page, name: string) {
  await page.goto('/account/security')
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'Passkeys', exact: true }) })
  await card.getByLabel('Passkey name').fill(name)
  await card.getByRole('button', { name: 'Add a passkey' }).click()
  await page.waitForURL('**/account/security?done=passkey-added')
}

/** The header's Sign out; lands on the sign-in page. */
export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).first().click()
  await page.waitForURL('**/account/sign-in?notice=signed-out')
}

/** Accessibility (axe), phone-width layout, and screenshots of the current view at 390 and 1280 px (into `dir`). */
export async function checkView(page: Page, name: string, dir = SCREENSHOT_DIR) {
  await page.evaluate(AXE_SOURCE)
  const { violations } = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }))
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(serious.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
  await page.setViewportSize({ width: 390, height: 844 })
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, `${name}-390.png`), fullPage: true })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.screenshot({ path: join(dir, `${name}-1280.png`), fullPage: true })
  // Dark mode follows the system: the same view with a dark system setting.
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.setViewportSize({ width: 390, height: 844 })
  await page.screenshot({ path: join(dir, `${name}-390-dark.png`), fullPage: true })
  await page.emulateMedia({ colorScheme: 'light' })
}

/** The message shown beside a field (its aria-describedby error). */
export async function fieldError(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true })
  await expect(await input.getAttribute('aria-invalid')).toBe('true')
  const id = (await input.getAttribute('id'))!
  return (await page.locator(`#${id}-error`).textContent())!.trim()
}

/** Posts a form as another site (or with a wrong token) would, with the browser's cookies. */
export async function rawPost(context: BrowserContext, baseUrl: string, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const cookies = (await context.cookies(baseUrl + path)).map((c) => `${c.name}=${c.value}`).join('; ')
  return fetch(baseUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  })
}

/** The CSRF token of the first form on the page. */
export const csrfOn = (page: Page) => page.locator('input[name="csrf_token"]').first().getAttribute('value') as Promise<string>
