// Accounts named in PDS_ADMIN_HANDLES sign in to the console with their own password and second factor;
// other accounts, app passwords and wrong codes are refused. Their actions are audited under their handle,
// and a takedown of the operator's own account ends its console session. Sign-in is rate limited; outside
// dev mode the cookies are Secure and only the public origin may post.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { startWebHarness, type WebHarness } from '../account/harness.ts'
import { startTestServer } from '../../helpers/server.ts'
import { startPlcDirectory } from '../../helpers/plc.ts'
import { Browser, csrfOf } from '../../oauth/hand-client.ts'
import { checkView } from './helpers.ts'

setDefaultTimeout(90_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness({ PDS_ADMIN_HANDLES: 'wendy.test, Yara.test' })
})
afterAll(() => h?.close())

test('an operator account signs in with its password and authenticator code', async () => {
  const wendy = await h.signUp('wendy')
  const xena = await h.signUp('xena')
  const factors = h.server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(wendy.did)
  await factors.finishTotpSetup(wendy.did, totpAt(secret, Date.now()))

  const { context, page, consoleErrors } = await h.newContext()
  await page.goto('/admin')
  await checkView(page, 'sign-in-operators')
  const handle = page.getByLabel('Operator handle (empty for the admin password)')

  // An account not named in PDS_ADMIN_HANDLES gets the same answer as a wrong password.
  await handle.fill('xena.test')
  await page.getByLabel('Password', { exact: true }).fill(xena.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('That handle and password do not match an operator.').waitFor()

  await handle.fill('wendy.test')
  await page.getByLabel('Password', { exact: true }).fill(wendy.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  const code = page.getByLabel('Code from your authenticator app or email, or a backup code')
  await code.waitFor()
  expect((await context.cookies()).some((c) => c.name === 'pds_admin_session')).toBe(false)

  await page.getByLabel('Password', { exact: true }).fill(wendy.password)
  await code.fill('000000')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.locator('#f-code-error').waitFor()
  expect((await context.cookies()).some((c) => c.name === 'pds_admin_session')).toBe(false)

  await page.getByLabel('Password', { exact: true }).fill(wendy.password)
  await page.getByLabel('Code from your authenticator app or email, or a backup code').fill(totpAt(secret, Date.now() + 30_000))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('Signed in as @wendy.test').waitFor()

  // Wendy's action is recorded under her DID and handle.
  await page.goto(`/admin/accounts/view?did=${encodeURIComponent(xena.did)}`)
  await page.getByRole('button', { name: 'Disable invites' }).click()
  await page.getByText('The account can no longer use or get invite codes.').waitFor()
  const audit = (await (await fetch(`${h.server.url}/_admin/audit?limit=5`, { headers: h.adminHeaders })).json()) as { entries: Array<Record<string, string>> }
  expect(audit.entries[0]).toMatchObject({ actor: wendy.did, actorHandle: 'wendy.test', action: 'disable-account-invites', subject: xena.did })
  expect(audit.entries[1]).toMatchObject({ actor: wendy.did, actorHandle: 'wendy.test', action: 'sign-in' })

  // Her account taken down (here by the API): her console session ends with it.
  h.server.services.accounts.setTakedown(wendy.did, 'compromised')
  await page.goto('/admin/accounts')
  expect(new URL(page.url()).pathname).toBe('/admin/sign-in')
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('an app password does not open the console; the account password does', async () => {
  const yara = await h.signUp('yara')
  const app = await h.server.services.accounts.createAppPassword(yara.did, 'not for the console')
  const { context, page } = await h.newContext()
  await page.goto('/admin/sign-in')
  await page.getByLabel('Operator handle (empty for the admin password)').fill('@yara.test')
  await page.getByLabel('Password', { exact: true }).fill(app.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('That handle and password do not match an operator.').waitFor()
  await page.getByLabel('Password', { exact: true }).fill(yara.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('Signed in as @yara.test').waitFor()
  // A password change ends every session of the account, the console's too.
  await h.server.services.accounts.updateAccountPassword(yara.did, 'yaras-new-password')
  await page.goto('/admin/accounts')
  expect(new URL(page.url()).pathname).toBe('/admin/sign-in')
  await context.close()
})

test('sign-in attempts are limited per IP', async () => {
  const server = await startTestServer({ PDS_RATE_LIMITS_ENABLED: 'true' })
  try {
    const browser = new Browser(server.url)
    const csrf = csrfOf((await browser.get('/admin/sign-in')).html)
    for (let i = 0; i < 10; i++) {
      const res = await browser.post('/admin/sign-in', { csrf_token: csrf, password: `guess-${i}` })
      expect(res.res.status).toBe(401)
    }
    // The 11th is refused before the password is looked at: the right one does not get through either.
    const limited = await browser.post('/admin/sign-in', { csrf_token: csrf, password: server.config.secrets.adminPassword })
    expect(limited.res.status).toBe(429)
    expect(limited.html).toContain('Too many attempts')
  } finally {
    await server.close()
  }
})

test('served over https (not a dev server), the console cookies are Secure and only the public origin may post', async () => {
  const plc = await startPlcDirectory()
  const prod = await startTestServer({ PDS_DEV_MODE: 'false', PDS_HOSTNAME: 'pds.example.com', PDS_DID_PLC_URL: plc.url })
  try {
    const browser = new Browser(prod.url)
    const page = await browser.get('/admin/sign-in')
    expect(page.res.headers.getSetCookie()).toEqual([expect.stringMatching(/^pds_admin_form=[^;]+; Path=\/admin; HttpOnly; SameSite=Strict; Secure$/)])
    const form = { csrf_token: csrfOf(page.html), password: prod.config.secrets.adminPassword }
    // The loopback origin the request came in on is not this server's public origin.
    expect((await browser.post('/admin/sign-in', form, { origin: prod.url })).res.status).toBe(403)
    const ok = await browser.post('/admin/sign-in', form, { origin: 'https://pds.example.com' })
    expect(ok.res.status).toBe(303)
    expect(ok.res.headers.getSetCookie()).toEqual([expect.stringMatching(/^pds_admin_session=[^;]+; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/)])
  } finally {
    await prod.close()
    await plc.close()
  }
})
