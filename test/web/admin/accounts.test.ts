// Running accounts from the console: find one by search, take it down (a real firehose subscriber sees
// #account takendown; the account cannot sign in), reverse it, set a new password, and the audit log
// records each step with who did it and from where.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { startWebHarness, type WebHarness } from '../account/harness.ts'
import { subscribeRepos } from '../../helpers/firehose.ts'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { adminSignIn, checkView } from './helpers.ts'

setDefaultTimeout(90_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

type AccountFrame = { header: { t?: string }; body: { did?: string; active?: boolean; status?: string } }
const accountEvents = (frames: unknown[], did: string) =>
  (frames as AccountFrame[]).filter((f) => f.header.t === '#account' && f.body.did === did).map((f) => ({ active: f.body.active, status: f.body.status }))

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 100 && !check(); i++) await Bun.sleep(50)
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

test('search, take down, reverse, reset the password; each audited', async () => {
  const oscar = await h.signUp('oscar')
  await h.signUp('olivia')
  await oscar.agent.post({ text: 'hello from oscar' })
  const firehose = await subscribeRepos(h.server.port)
  const { context, page, consoleErrors } = await h.newContext()
  await adminSignIn(page, '/admin/accounts')

  await page.getByLabel('Handle, email or DID').fill('oscar')
  await page.getByRole('button', { name: 'Search' }).click()
  await page.getByText('1 account matching “oscar”').waitFor()
  const row = page.locator('table.data tbody tr')
  expect(await row.count()).toBe(1)
  expect(await row.textContent()).toContain('oscar@example.com')
  expect(await row.textContent()).toContain(oscar.did)
  expect(await row.textContent()).toContain('Active')
  await checkView(page, 'accounts')

  await page.getByRole('link', { name: '@oscar.test' }).click()
  await page.getByRole('heading', { name: '@oscar.test' }).waitFor()
  expect(await page.locator('main').textContent()).toContain('1 records')
  await checkView(page, 'account')

  // Takedown: a reason, then the confirmation step.
  await page.getByLabel('Reason (kept as the takedown reference)').fill('spam wave 12')
  await page.getByRole('button', { name: 'Take down' }).click()
  await page.getByRole('heading', { name: 'Take down @oscar.test?' }).waitFor()
  await checkView(page, 'takedown-confirm')
  await page.getByRole('button', { name: 'Take down' }).click()
  await page.getByText('The account is taken down').waitFor()
  await until(() => accountEvents(firehose.frames, oscar.did).length === 1, '#account takendown')
  expect(accountEvents(firehose.frames, oscar.did)).toEqual([{ active: false, status: 'takendown' }])
  await expect(h.agent().login({ identifier: 'oscar.test', password: oscar.password })).rejects.toThrow(/taken down/i)
  expect(await page.locator('main').textContent()).toContain('reason: spam wave 12')

  await page.getByLabel('Why (kept in the audit log)').fill('appeal accepted')
  await page.getByRole('button', { name: 'Reverse takedown' }).click()
  await page.getByText('The takedown is reversed').waitFor()
  await until(() => accountEvents(firehose.frames, oscar.did).length === 2, '#account active')
  expect(accountEvents(firehose.frames, oscar.did)[1]).toEqual({ active: true, status: undefined })
  await h.agent().login({ identifier: 'oscar.test', password: oscar.password })

  // A generated password is shown once; the old one stops working.
  await page.getByRole('button', { name: 'Set a new password' }).click()
  const shown = (await page.locator('.notice code.secret').textContent())!.trim()
  expect(shown).toMatch(/^[a-z2-7]{5}(-[a-z2-7]{5}){3}$/)
  await expect(h.agent().login({ identifier: 'oscar.test', password: oscar.password })).rejects.toThrow()
  await h.agent().login({ identifier: 'oscar.test', password: shown })

  // The account's history, and the audit log, name each step.
  await page.goto('/admin/audit')
  const text = (await page.locator('table.data').textContent())!
  for (const action of ['takedown', 'reverse-takedown', 'reset-password', 'sign-in']) expect(text).toContain(action)
  expect(text).toContain('spam wave 12')
  expect(text).toContain('appeal accepted')
  expect(text).not.toContain(shown)
  await checkView(page, 'audit')
  expect(consoleErrors).toEqual([])
  firehose.ws.close()
  await context.close()
})

test('deactivate and reactivate, change email and handle, disable invites, delete with confirmation', async () => {
  const pia = await h.signUp('pia')
  const { context, page } = await h.newContext()
  await adminSignIn(page, `/admin/accounts/view?did=${encodeURIComponent(pia.did)}`)
  const main = page.locator('main')

  await page.getByRole('button', { name: 'Deactivate' }).click()
  await page.getByRole('button', { name: 'Deactivate' }).click()
  await page.getByText('The account is deactivated.').waitFor()
  expect(h.server.services.accounts.getAccount(pia.did, { includeDeactivated: true })!.deactivatedAt).not.toBeNull()
  await page.getByRole('button', { name: 'Reactivate' }).click()
  await page.getByText('The account is active again.').waitFor()

  await page.getByLabel('New email address').fill('pia.new@example.com')
  await page.getByRole('button', { name: 'Change email' }).click()
  await page.getByText('The email address was changed').waitFor()
  expect(h.server.services.accounts.getAccount(pia.did)!.email).toBe('pia.new@example.com')

  await page.getByLabel('New handle').fill('pia2.test')
  await page.getByRole('button', { name: 'Change handle' }).click()
  await page.getByText('The handle was changed.').waitFor()
  expect(h.server.services.accounts.getAccount(pia.did)!.handle).toBe('pia2.test')

  // A refused input is said on the page and changes nothing.
  await page.getByLabel('New handle').fill('not a handle')
  await page.getByRole('button', { name: 'Change handle' }).click()
  await main.locator('.notice.error').waitFor()
  expect(h.server.services.accounts.getAccount(pia.did)!.handle).toBe('pia2.test')

  await page.getByRole('button', { name: 'Disable invites' }).click()
  await page.getByText('The account can no longer use or get invite codes.').waitFor()
  expect(h.server.services.accounts.getAccount(pia.did)!.invitesDisabled).toBe(true)
  await page.getByRole('button', { name: 'Enable invites' }).click()
  await page.getByText('The account can use invite codes again.').waitFor()

  await page.getByLabel('Subject').fill('About your account')
  await page.getByLabel('Message', { exact: true }).fill('Hello Pia, a note from the operator.')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await page.getByText('The message was queued for delivery.').waitFor()
  // Queued on the moderation mail channel (to the log here: this server has no moderation SMTP server).
  const sent = h.server.services.notify.history(pia.did).find((n) => n.kind === 'operator_message')
  expect(sent).toMatchObject({ channel: 'moderation_email', state: 'sent' })

  // Second factors: removed after the confirmation step.
  const factors = h.server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(pia.did)
  await factors.finishTotpSetup(pia.did, totpAt(secret, Date.now()))
  await page.reload()
  await page.getByRole('button', { name: 'Remove second factors' }).click()
  await page.getByRole('heading', { name: 'Remove every second factor of @pia2.test?' }).waitFor()
  expect(factors.status(pia.did).totp).toBe(true)
  await page.getByRole('button', { name: 'Remove second factors' }).click()
  await page.getByText('Every second factor was removed').waitFor()
  expect(factors.status(pia.did)).toMatchObject({ totp: false, backupCodesRemaining: 0 })

  await page.getByRole('button', { name: 'Delete account' }).click()
  await page.getByRole('heading', { name: 'Delete @pia2.test?' }).waitFor()
  expect(h.server.services.accounts.getAccount(pia.did, { includeDeactivated: true, includeTakenDown: true })).not.toBeNull()
  await page.getByRole('button', { name: 'Delete for good' }).click()
  await page.waitForURL('**/admin/accounts?deleted=*')
  expect(h.server.services.accounts.getAccount(pia.did, { includeDeactivated: true, includeTakenDown: true })).toBeNull()

  const audit = (await (await fetch(`${h.server.url}/_admin/audit?limit=20`, { headers: h.adminHeaders })).json()) as { entries: Array<{ action: string; subject: string }> }
  const mine = audit.entries.filter((e) => e.subject === pia.did).map((e) => e.action)
  expect(mine).toEqual(['delete-account', 'reset-2fa', 'send-email', 'enable-account-invites', 'disable-account-invites', 'change-handle', 'change-email', 'activate', 'deactivate'])
  await context.close()
})
