// The console's queue filter (/account/mod?queue=…) in headless Chromium: with report queues defined, a
// member picks one and sees its reports by review state, leading to the subject; axe-core clean.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { checkView, startWebHarness, type WebHarness } from '../account/harness.ts'
import { enrolTotp, signInWithFactor } from './helpers.ts'

let h: WebHarness
let teamDid: string
let bob: { agent: AtpAgent; did: string }
let post: { uri: string; cid: string }
let queueId: number
let leadDid: string

beforeAll(async () => {
  h = await startWebHarness({ PDS_MOD_TEAM_HANDLE: 'mod.test' })
  leadDid = (await h.signUp('mod')).did
  await enrolTotp(h, leadDid) // the console needs the member's second factor
  const res = await fetch(`${h.server.url}/_admin/moderation/enable`, { method: 'POST', headers: { authorization: h.server.adminAuth }, body: JSON.stringify({ account: 'mod.test' }) })
  teamDid = ((await res.json()) as { did: string }).did
  const alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  const lead = { did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' }
  queueId = h.server.services.moderation.reporting.queues.create(lead, { name: 'Post spam', subjectTypes: ['record'], collection: 'app.bsky.feed.post', reportTypes: ['com.atproto.moderation.defs#reasonSpam'] }).queue.id as number
  h.server.services.moderation.reporting.queues.create(lead, { name: 'Accounts', subjectTypes: ['account'], reportTypes: ['com.atproto.moderation.defs#reasonRude'] })
  post = await bob.agent.post({ text: 'buy followers', createdAt: new Date().toISOString() })
  await alice.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonSpam', subject: { $type: 'com.atproto.repo.strongRef', ...post } })
  await alice.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonSexual', subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did } })
})

afterAll(async () => {
  await h.close()
})

test("a member filters the review queue by a report queue and opens a report's subject", async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await signInWithFactor(page, { identifier: 'mod.test', password: 'mod-password', did: leadDid, next: '/mod' })
  await page.getByLabel('Queue', { exact: true }).selectOption({ label: 'Post spam' })
  await page.getByRole('button', { name: 'Show' }).click()
  await page.getByRole('heading', { name: 'Open reports in Post spam' }).waitFor()
  expect(new URL(page.url()).searchParams.get('queue')).toBe(String(queueId))
  await page.getByText(/reasonSpam · queued · reported/).waitFor()
  expect(await page.getByText(/reasonSexual/).count()).toBe(0) // in no queue
  await checkView(page, 'mod-queue-filter')
  await page.getByRole('link', { name: /Post or record by @bob.test/ }).click()
  await page.getByText('Reason: reasonSpam').waitFor()

  // Closed once the subject is acknowledged with the report targeted.
  const report = (await h.server.services.moderation.reporting.desk.query({ status: 'queued', queueId })).reports[0] as { id: number }
  await h.server.services.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, subject: { $type: 'com.atproto.repo.strongRef', ...post }, reportAction: { ids: [report.id] } }, { did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' })
  await page.goto(`/account/mod?state=open&queue=${queueId}`)
  await page.getByRole('heading', { name: 'Open reports in Post spam' }).waitFor()
  await page.getByText('Nothing here.').waitFor()
  await page.goto(`/account/mod?state=closed&queue=${queueId}`)
  await page.getByText(/reasonSpam · closed · reported/).waitFor()
  // Without a queue: the subjects, as before.
  await page.goto('/account/mod?queue=')
  await page.getByRole('heading', { name: 'Open subjects' }).waitFor()
  expect(consoleErrors).toEqual([])
  await context.close()
}, 60_000)
