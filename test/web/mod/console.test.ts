// The moderation console (/mod → /account/mod) in headless Chromium: a member reviews a report and acts on
// it; triage cannot take down; a non-member is turned away; every view passes axe-core.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { checkView, csrfOn, rawPost, signIn, startWebHarness, type WebHarness } from '../account/harness.ts'

let h: WebHarness
let teamDid: string
let bob: { agent: AtpAgent; did: string }
let post: { uri: string; cid: string }

beforeAll(async () => {
  h = await startWebHarness({ PDS_MOD_TEAM_HANDLE: 'mod.test' })
  await h.signUp('mod')
  const res = await fetch(`${h.server.url}/_admin/moderation/enable`, { method: 'POST', headers: { authorization: h.server.adminAuth }, body: JSON.stringify({ account: 'mod.test' }) })
  teamDid = ((await res.json()) as { did: string }).did
  const alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  const tri = await h.signUp('tri')
  await h.server.services.moderation.team.add({ did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' }, tri.did, 'tools.ozone.team.defs#roleTriage')
  post = await bob.agent.post({ text: 'a reported post', createdAt: new Date().toISOString() })
  await alice.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonSpam', reason: 'ads', subject: { $type: 'com.atproto.repo.strongRef', ...post } })
})

afterAll(async () => {
  await h.close()
})

const recordStatus = () => fetch(`${h.server.url}/xrpc/com.atproto.repo.getRecord?repo=${bob.did}&collection=app.bsky.feed.post&rkey=${post.uri.split('/').pop()}`).then((r) => r.status)

test('a moderator reviews the report in the queue, labels the post and takes it down', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, 'mod.test', 'mod-password', '/mod')
  expect(new URL(page.url()).pathname).toBe('/account/mod')
  await page.getByRole('heading', { name: 'Open subjects' }).waitFor()
  await checkView(page, 'mod-queue')
  await page.getByRole('link', { name: /Post or record by @bob.test/ }).click()
  await page.getByText('Reason: reasonSpam').waitFor()
  await checkView(page, 'mod-subject')
  await page.getByLabel('Labels (comma-separated)').fill('spam')
  await page.getByRole('button', { name: 'Apply labels' }).click()
  await page.getByText('Labels: spam').waitFor()
  expect(await recordStatus()).toBe(200)
  await page.getByRole('button', { name: 'Take down' }).click()
  await page.getByText('taken down', { exact: true }).waitFor()
  expect(await recordStatus()).toBe(400)
  await page.getByRole('button', { name: 'Reverse takedown' }).click()
  await page.getByRole('button', { name: 'Take down' }).waitFor()
  expect(await recordStatus()).toBe(200)
  // Email from a template, on the account's page.
  await h.server.services.moderation.config.createTemplate({ did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' }, { name: 'spam-warning', subject: 'About your posts', contentMarkdown: 'Please stop posting ads.' })
  await page.goto(`/account/mod/subject?s=${encodeURIComponent(bob.did)}`)
  await page.getByLabel('Template (its subject and text unless you write your own)').selectOption({ label: 'spam-warning' })
  await page.getByRole('button', { name: 'Send email' }).click()
  await page.getByText('Done: email.').waitFor()
  const sent = (await h.server.services.moderation.queries.queryEvents({ subject: bob.did, types: ['tools.ozone.moderation.defs#modEventEmail'] })).events
  expect(sent.map((e) => e.event)).toEqual([expect.objectContaining({ subjectLine: 'About your posts', content: 'Please stop posting ads.' })])
  await page.goto('/account/mod/team')
  await page.getByText('@tri.test · triage').waitFor()
  await checkView(page, 'mod-team')
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('triage sees no takedown and a forged takedown post is refused with nothing changed', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, 'tri.test', 'tri-password', `/account/mod/subject?s=${encodeURIComponent(post.uri)}`)
  await page.getByRole('button', { name: 'Acknowledge' }).waitFor()
  expect(await page.getByRole('button', { name: 'Take down' }).count()).toBe(0)
  const before = (await h.server.services.moderation.queries.queryEvents({ subject: post.uri })).events.length
  const res = await rawPost(context, h.server.url, '/account/mod/act', { csrf_token: await csrfOn(page), subject: post.uri, cid: post.cid, action: 'takedown' }, { origin: h.server.url })
  expect(res.status).toBe(403)
  expect(await res.text()).toContain('Must be a full moderator to take this type of action')
  expect((await h.server.services.moderation.queries.queryEvents({ subject: post.uri })).events.length).toBe(before)
  expect(await recordStatus()).toBe(200)
  await context.close()
})

test('a non-member is turned away', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, 'alice.test', 'alice-password', '/account/mod')
  await page.getByRole('heading', { name: 'Not on the moderation team' }).waitFor()
  await checkView(page, 'mod-refused')
  await context.close()
})
