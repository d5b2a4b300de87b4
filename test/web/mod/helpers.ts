// Team members of the console's browser tests: the console needs a second factor, so each member gets an
// authenticator app (through the factor service) and signs in with one of its backup codes (each usable
// once, unlike the 30-second authenticator codes a test would otherwise exhaust signing in again and again).
import type { Page } from 'playwright-core'
import { totpAt } from '../../../src/services/factors/totp.ts'
import type { WebHarness } from '../account/harness.ts'

export const CODE_LABEL = 'Code from your authenticator app or email, or a backup code'

const backupCodes = new Map<string, string[]>()

/** Turns on an authenticator app for the account; returns its key. */
export async function enrolTotp(h: WebHarness, did: string): Promise<string> {
  const factors = h.server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(did)
  backupCodes.set(did, (await factors.finishTotpSetup(did, totpAt(secret, Date.now()))).backupCodes)
  return secret
}

/** Signs in with the password and then a code (a backup code of `did` unless one is given); lands on `next`. */
export async function signInWithFactor(page: Page, o: { identifier: string; password: string; did: string; next: string; code?: string }) {
  const code = o.code ?? backupCodes.get(o.did)?.shift()
  if (!code) throw new Error(`no code left for ${o.identifier}`)
  await page.goto(o.next)
  await page.getByLabel('Handle or email').fill(o.identifier)
  await page.getByLabel('Password', { exact: true }).fill(o.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByLabel(CODE_LABEL).fill(code)
  await page.getByLabel('Password', { exact: true }).fill(o.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'))
}
