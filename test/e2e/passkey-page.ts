// A headless Chromium page on the server's own origin with a CDP virtual authenticator, for tests of
// the JSON passkey routes (/passkeys/*): fetch from the page, and the authenticator's answers.
import type { Browser, Page } from 'playwright-core'
import { addVirtualAuthenticator, launchChromium } from '../helpers/chromium.ts'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'

// Browser-side globals inside page.evaluate (the project's lib has no DOM types).
declare const navigator: { credentials: { create(o: unknown): Promise<{ toJSON(): unknown }>; get(o: unknown): Promise<{ toJSON(): unknown }> } }
declare const PublicKeyCredential: { parseCreationOptionsFromJSON(o: unknown): unknown; parseRequestOptionsFromJSON(o: unknown): unknown }

export type Reply = { status: number; body: Record<string, any> }

export type PasskeyPage = {
  h: AccountHarness
  browser: Browser
  page: Page
  /** POST JSON from the page (same origin as the server). */
  call(path: string, body: unknown, token?: string): Promise<Reply>
  /** The authenticator's answer to registration options, as JSON. */
  createCredential(options: unknown): Promise<Record<string, any>>
  /** The authenticator's answer to sign-in options, as JSON. */
  getAssertion(options: unknown): Promise<Record<string, any>>
  close(): Promise<void>
}

export async function openPasskeyPage(): Promise<PasskeyPage> {
  const launching = launchChromium()
  const h = await startAccountHarness()
  const browser = await launching
  const context = await browser.newContext()
  const page = await context.newPage()
  await addVirtualAuthenticator(context, page)
  // The server's own origin (http://localhost:<port>): the RP ID is its hostname.
  await page.goto(`${h.server.config.service.publicUrl}/robots.txt`)
  return {
    h,
    browser,
    page,
    call: (path, body, token) =>
      page.evaluate(
        async ([path, body, token]) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' }
          if (token) headers.authorization = `Bearer ${token}`
          const res = await fetch(path as string, { method: 'POST', headers, body: JSON.stringify(body) })
          return { status: res.status, body: (await res.json()) as Record<string, any> }
        },
        [path, body, token] as const,
      ),
    createCredential: (options) =>
      page.evaluate(async (o) => (await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o) })).toJSON(), options) as Promise<Record<string, any>>,
    getAssertion: (options) =>
      page.evaluate(async (o) => (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o) })).toJSON(), options) as Promise<Record<string, any>>,
    close: async () => {
      await browser.close()
      await h.close()
    },
  }
}
