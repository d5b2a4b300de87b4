// The moderation console (/mod → /account/mod) in headless Chromium: a member reviews a report and acts on
// it; triage cannot take down; a non-member is turned away; every view passes axe-core. Members sign in with
// their second factor, as the console requires (gate.test.ts tests the gate itself).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import type { Page } from 'playwright-core'
import { AtpAgent as Agent } from '@atproto/api'
import { checkView, csrfOn, rawPost, signIn, startWebHarness, type WebHarness } from '../account/harness.ts'
import { startTestServer } from '../../helpers/server.ts'
import { enrolTotp, signInWithFactor } from './helpers.ts'

let h: WebHarness
let teamDid: string
let bob: { agent: AtpAgent; did: string }
let post: { uri: string; cid: string }
const dids: Record<string, string> = {}
const signInMember = (page: Page, name: string, next: string) => signInWithFactor(page, { identifier: `${name}.test`, password: `${name}-password`, did: dids[name]!, next })

beforeAll(async () => {
  h = await startWebHarness({ PDS_MOD_TEAM_HANDLE: 'mod.test' })
  dids.mod = (await h.signUp('mod')).did
  const res = await fetch(`${h.server.url}/_admin/moderation/enable`, { method: 'POST', headers: { authorization: h.server.adminAuth }, body: JSON.stringify({ account: 'mod.test' }) })
  teamDid = ((await res.json()) as { did: string }).did
  const alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  const tri = await h.signUp('tri')
  await h.server.services.moderation.team.add({ did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' }, tri.did, 'tools.ozone.team.defs#roleTriage')
  dids.tri = tri.did
  await enrolTotp(h, dids.mod!)
  await enrolTotp(h, tri.did)
  post = await bob.agent.post({ text: 'a reported post', createdAt: new Date().toISOString() })
  await alice.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonSpam', reason: 'ads', subject: { $type: 'com.atproto.repo.strongRef', ...post } })
})

afterAll(async () => {
  await h.close()
})

const recordStatus = () => fetch(`${h.server.url}/xrpc/com.atproto.repo.getRecord?repo=${bob.did}&collection=app.bsky.feed.post&rkey=${post.uri.split('/').pop()}`).then((r) => r.status)

test('a moderator reviews the report in the queue, labels the post and takes it down', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await signInMember(page, 'mod', '/mod')
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
}, 30_000)

test('triage sees no takedown and a forged takedown post is refused with nothing changed', async () => {
  const { context, page } = await h.newContext()
  await signInMember(page, 'tri', `/account/mod/subject?s=${encodeURIComponent(post.uri)}`)
  await page.getByRole('button', { name: 'Acknowledge' }).waitFor()
  expect(await page.getByRole('button', { name: 'Take down' }).count()).toBe(0)
  const before = (await h.server.services.moderation.queries.queryEvents({ subject: post.uri })).events.length
  const res = await rawPost(context, h.server.url, '/account/mod/act', { csrf_token: await csrfOn(page), subject: post.uri, cid: post.cid, action: 'takedown' }, { origin: h.server.url })
  expect(res.status).toBe(403)
  expect(await res.text()).toContain('Must be a full moderator to take this type of action')
  expect((await h.server.services.moderation.queries.queryEvents({ subject: post.uri })).events.length).toBe(before)
  expect(await recordStatus()).toBe(200)
  await context.close()
}, 30_000)

test('a non-member is turned away', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, 'alice.test', 'alice-password', '/account/mod')
  await page.getByRole('heading', { name: 'Not on the moderation team' }).waitFor()
  await checkView(page, 'mod-refused')
  await context.close()
}, 30_000)

test('an admin changes a member\'s role and removes one; a moderator cannot', async () => {
  const extra = await h.signUp('temp')
  const admin = { did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' }
  await h.server.services.moderation.team.add(admin, extra.did, 'tools.ozone.team.defs#roleTriage')
  dids.temp = extra.did
  await enrolTotp(h, extra.did)
  const { context, page, consoleErrors } = await h.newContext()
  await signInMember(page, 'mod', '/account/mod/team')
  await page.getByLabel('Role of @temp.test', { exact: true }).selectOption({ label: 'Moderator' })
  await page.getByRole('button', { name: 'Save role for @temp.test' }).click()
  await page.getByText('Changed the role of temp.test.').waitFor()
  expect(h.server.services.moderation.callerFor(extra.did)?.role).toBe('tools.ozone.team.defs#roleModerator')
  await checkView(page, 'mod-team-admin')
  // The moderator may not manage the team: no controls, and a forged post changes nothing.
  const other = await h.newContext()
  await signInMember(other.page, 'temp', '/account/mod/team')
  await other.page.getByText('@tri.test · triage').waitFor()
  expect(await other.page.getByRole('button', { name: /Remove/ }).count()).toBe(0)
  const forged = await rawPost(other.context, h.server.url, '/account/mod/team/remove', { csrf_token: await csrfOn(other.page), did: (await h.server.services.accounts.getAccount('tri.test'))!.did }, { origin: h.server.url })
  expect(forged.status).toBe(403)
  expect(h.server.services.moderation.callerFor((await h.server.services.accounts.getAccount('tri.test'))!.did)).not.toBeNull()
  await other.context.close()
  await page.getByRole('button', { name: 'Remove @temp.test from the team' }).click()
  await page.getByText('Removed temp.test from the team.').waitFor()
  expect(h.server.services.moderation.callerFor(extra.did)).toBeNull()
  expect(consoleErrors).toEqual([])
  await context.close()
}, 30_000)

test('label definitions: an admin adds the team\'s own label and drops one; the labeler record follows; triage only reads', async () => {
  const record = async () => ((await h.agent().com.atproto.repo.getRecord({ repo: teamDid, collection: 'app.bsky.labeler.service', rkey: 'self' })).data.value as any).policies
  const { context, page, consoleErrors } = await h.newContext()
  await signInMember(page, 'mod', '/account/mod/labels')
  await page.getByRole('heading', { name: 'Labels', exact: true }).waitFor()
  await page.getByLabel('Value', { exact: true }).fill('rude')
  await page.getByLabel('Name shown in apps', { exact: true }).fill('Rude')
  await page.getByLabel('Description', { exact: true }).fill('Insults and name-calling.')
  await page.getByLabel('Severity', { exact: true }).selectOption('alert')
  await page.getByLabel('Blurs', { exact: true }).selectOption('content')
  await page.getByRole('button', { name: 'Save label' }).click()
  await page.getByText('Saved rude.').waitFor()
  let policies = await record()
  expect(policies.labelValues).toContain('rude')
  expect(policies.labelValueDefinitions).toEqual([
    { identifier: 'rude', severity: 'alert', blurs: 'content', defaultSetting: 'warn', adultOnly: false, locales: [{ lang: 'en', name: 'Rude', description: 'Insults and name-calling.' }] },
  ])
  await checkView(page, 'mod-labels')
  // Enabling again (pds moderation enable) keeps the team's definitions.
  await h.server.services.moderation.enable('mod.test')
  expect((await record()).labelValueDefinitions).toEqual(policies.labelValueDefinitions)
  await page.getByLabel('Value', { exact: true }).fill('Not Valid')
  await page.getByRole('button', { name: 'Save label' }).click()
  await page.getByText(/Invalid label value: Not Valid/).waitFor()
  await page.goto('/account/mod/labels')
  await page.getByRole('button', { name: 'Remove graphic-media' }).click()
  await page.getByText('No longer declared: graphic-media.').waitFor()
  policies = await record()
  expect(policies.labelValues).not.toContain('graphic-media')
  expect(policies.labelValues).toContain('rude')
  expect(consoleErrors).toEqual([])
  await context.close()

  const tri = await h.newContext()
  await signInMember(tri.page, 'tri', '/account/mod/labels')
  await tri.page.getByText('Insults and name-calling.').waitFor()
  expect(await tri.page.getByRole('button', { name: 'Save label' }).count()).toBe(0)
  const forged = await rawPost(tri.context, h.server.url, '/account/mod/labels/remove', { csrf_token: await csrfOn(tri.page), identifier: 'rude' }, { origin: h.server.url })
  expect(forged.status).toBe(403)
  expect((await record()).labelValues).toContain('rude')
  await tri.context.close()
}, 30_000)

test('scheduled actions: a pending takedown is listed and a moderator cancels it', async () => {
  const admin = { did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' }
  const at = new Date(Date.now() + 3 * 24 * 3600_000).toISOString()
  h.server.services.moderation.scheduler.schedule(admin, { action: { $type: 'tools.ozone.moderation.scheduleAction#takedown', comment: 'repeat spam' }, subjects: [bob.did], scheduling: { executeAt: at } })
  const { context, page, consoleErrors } = await h.newContext()
  await signInMember(page, 'mod', '/account/mod/scheduled')
  await page.getByRole('link', { name: '@bob.test' }).waitFor()
  await checkView(page, 'mod-scheduled')
  await page.getByRole('button', { name: 'Cancel the takedown of @bob.test' }).click()
  await page.getByText('Cancelled the pending actions on bob.test.').waitFor()
  await page.getByText('None.').waitFor()
  expect(h.server.services.moderation.scheduler.list({ statuses: ['cancelled'] }).actions.map((a) => a.did)).toEqual([bob.did])
  await page.getByLabel('Status', { exact: true }).selectOption('cancelled')
  await page.getByRole('button', { name: 'Show' }).click()
  await page.getByRole('link', { name: '@bob.test' }).waitFor()
  expect(consoleErrors).toEqual([])
  await context.close()
}, 30_000)

test("a reported post hosted on another server: its content as that server serves it, escaped, and where it came from", async () => {
  // Another PDS on this server's PLC directory: its records are read from it when a moderator opens them.
  const other = await startTestServer({ PDS_DID_PLC_URL: h.server.config.identity.plcUrl })
  try {
    const far = new Agent({ service: other.url })
    await far.createAccount({ handle: 'far.test', email: 'far@example.com', password: 'far-password' })
    const text = '<img src=x onerror=alert(1)> remote & "quoted"'
    const farPost = await far.post({ text, createdAt: new Date().toISOString() })
    await bob.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonRude', subject: { $type: 'com.atproto.repo.strongRef', ...farPost } })
    const { context, page, consoleErrors } = await h.newContext()
    await signInMember(page, 'mod', `/account/mod/subject?s=${encodeURIComponent(farPost.uri)}`)
    await page.getByRole('heading', { name: 'Record @far.test' }).waitFor()
    await page.getByText(`Hosted on ${other.config.service.publicUrl}`).waitFor()
    expect(await page.locator('pre').textContent()).toContain(JSON.stringify(text).slice(1, -1))
    expect(await page.locator('img').count()).toBe(0)
    await checkView(page, 'mod-subject-remote')
    expect(consoleErrors).toEqual([])
    await context.close()
  } finally {
    await other.close()
  }
}, 30_000)
