// What the console's browser tests share on top of the account app's harness (test/web/account/harness.ts):
// where screenshots go, and signing in with the admin password.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { TEST_ADMIN_PASSWORD } from '../../helpers/server.ts'
import { checkView as checkAnyView } from '../account/harness.ts'

export const ADMIN_SCREENSHOT_DIR = join(tmpdir(), 'pds-admin-screenshots')

export const checkView = (page: Page, name: string) => checkAnyView(page, name, ADMIN_SCREENSHOT_DIR)

/** Signs in to the console through the form; lands on `next` (the server page by default). */
export async function adminSignIn(page: Page, next = '/admin', password = TEST_ADMIN_PASSWORD) {
  await page.goto(next)
  await page.getByLabel('Admin password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'))
}
