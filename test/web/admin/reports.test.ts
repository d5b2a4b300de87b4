// Reports in the console, with the bundled moderation team on (reports are kept here): the open queue shows
// reporter, subject, reason and state; resolve and escalate move a report to its state's list; each is
// audited under the operator.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { startWebHarness, type WebHarness } from '../account/harness.ts'
import { adminSignIn, checkView } from './helpers.ts'

setDefaultTimeout(90_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness({ PDS_MOD_TEAM_HANDLE: 'mod.test' })
  await h.signUp('mod')
  const res = await fetch(`${h.server.url}/_admin/moderation/enable`, { method: 'POST', headers: { authorization: h.server.adminAuth }, body: JSON.stringify({ account: 'mod.test' }) })
  expect(res.status).toBe(200)
})
afterAll(() => h?.close())

test('resolve and escalate reports from the queue', async () => {
  const alice = await h.signUp('alice')
  const bob = await h.signUp('bob')
  const carl = await h.signUp('carl')
  const post = await bob.agent.post({ text: 'buy my stuff', createdAt: new Date().toISOString() })
  await alice.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonSpam', reason: 'ads everywhere', subject: { $type: 'com.atproto.repo.strongRef', ...post } })
  await alice.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonRude', subject: { $type: 'com.atproto.admin.defs#repoRef', did: carl.did } })

  const { context, page, consoleErrors } = await h.newContext()
  await adminSignIn(page, '/admin/reports')
  const items = page.locator('ul.items > li')
  expect(await items.count()).toBe(2)
  const spam = items.filter({ hasText: 'ads everywhere' })
  expect(await spam.textContent()).toContain('reasonSpam')
  expect(await spam.textContent()).toContain(post.uri)
  await spam.getByRole('link', { name: '@alice.test' }).waitFor()
  await spam.getByRole('link', { name: '@bob.test' }).waitFor()
  await checkView(page, 'reports')

  await spam.getByLabel('Note (optional)').fill('removed by the author')
  await spam.getByRole('button', { name: /^Resolve report/ }).click()
  await page.getByText('Resolved.').waitFor()
  expect(await items.count()).toBe(1)
  const rude = items.filter({ hasText: 'reasonRude' })
  await rude.getByRole('link', { name: '@carl.test' }).waitFor()
  await rude.getByRole('button', { name: /^Escalate report/ }).click()
  await page.getByText('Escalated.').waitFor()
  expect(await page.locator('ul.items > li').count()).toBe(0)

  await page.getByRole('link', { name: 'Escalated' }).click()
  await page.locator('ul.items > li', { hasText: 'reasonRude' }).getByText('escalated').waitFor()
  await page.getByRole('link', { name: 'Resolved' }).click()
  await page.locator('ul.items > li', { hasText: 'ads everywhere' }).getByText('resolved').waitFor()

  const audit = (await (await fetch(`${h.server.url}/_admin/audit?limit=3`, { headers: h.adminHeaders })).json()) as { entries: Array<Record<string, string>> }
  expect(audit.entries[0]).toMatchObject({ actor: 'admin', action: 'escalate-report', subject: carl.did })
  expect(audit.entries[1]).toMatchObject({ actor: 'admin', action: 'resolve-report', subject: post.uri })
  expect(audit.entries[1]!.detail).toContain('removed by the author')
  expect(consoleErrors).toEqual([])
  await context.close()
})
