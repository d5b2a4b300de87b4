// The bundled moderation service end to end with @atproto/api: a report reaches the queue, a moderator
// labels and takes down, a timed takedown is reversed by the background job, email reaches the SMTP sink.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { subscribeRepos } from '../helpers/firehose.ts'
import { labelKeyFromPlc, startModHarness, verifiesWith, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
let alice: Awaited<ReturnType<ModHarness['signUp']>>
let bob: Awaited<ReturnType<ModHarness['signUp']>>
let carol: Awaited<ReturnType<ModHarness['signUp']>>
let post: { uri: string; cid: string }

beforeAll(async () => {
  h = await startModHarness()
  alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  carol = await h.signUp('carol')
  post = await bob.agent.post({ text: 'buy my stuff', createdAt: new Date().toISOString() })
})

afterAll(async () => {
  await h.close()
})

test('enable: the DID document names the labeler endpoint and #atproto_label key; the repo has the labeler record', async () => {
  const doc = (await (await fetch(`${h.plc.url}/${h.teamDid}`)).json()) as { service: Array<{ id: string; type: string; serviceEndpoint: string }> }
  expect(doc.service).toContainEqual({ id: '#atproto_labeler', type: 'AtprotoLabeler', serviceEndpoint: h.server.config.service.publicUrl })
  expect(await labelKeyFromPlc(h.plc.url, h.teamDid)).toBe(h.labelKey)
  const record = await h.agent().com.atproto.repo.getRecord({ repo: h.teamDid, collection: 'app.bsky.labeler.service', rkey: 'self' })
  expect((record.data.value as any).policies.labelValues).toContain('spam')
  // Idempotent: enabling again changes nothing.
  const again = await fetch(`${h.server.url}/_admin/moderation/enable`, { method: 'POST', headers: { authorization: h.server.adminAuth }, body: JSON.stringify({ account: 'mod.test' }) })
  expect(await again.json()).toMatchObject({ did: h.teamDid, labelKey: h.labelKey, didDocUpdated: false })
})

test('a report is stored here and shows in queryStatuses; a moderator labels the post and the labels verify', async () => {
  const report = await alice.agent.com.atproto.moderation.createReport({
    reasonType: 'com.atproto.moderation.defs#reasonSpam',
    reason: 'spam links',
    subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
  })
  expect(report.data).toMatchObject({ reasonType: 'com.atproto.moderation.defs#reasonSpam', reason: 'spam links', reportedBy: alice.did })
  const queue = await h.team.tools.ozone.moderation.queryStatuses({ reviewState: 'tools.ozone.moderation.defs#reviewOpen' })
  const status = queue.data.subjectStatuses.find((s) => (s.subject as { uri?: string }).uri === post.uri)
  expect(status).toMatchObject({ reviewState: 'tools.ozone.moderation.defs#reviewOpen', subjectRepoHandle: 'bob.test', takendown: false })
  const events = await h.team.tools.ozone.moderation.queryEvents({ subject: post.uri })
  expect(events.data.events.map((e) => e.event.$type)).toEqual(['tools.ozone.moderation.defs#modEventReport'])
  expect(h.server.services.moderation.listReports({ status: 'open' }).reports.map((r) => r.id)).toContain(report.data.id)

  const labeled = await h.team.tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: ['spam'], negateLabelVals: [] },
    subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
    createdBy: h.teamDid,
  })
  expect(labeled.data).toMatchObject({ createdBy: h.teamDid, event: { createLabelVals: ['spam'] } })
  const after = await h.team.tools.ozone.moderation.queryStatuses({ subject: post.uri })
  expect(after.data.subjectStatuses[0]).toMatchObject({ reviewState: 'tools.ozone.moderation.defs#reviewClosed', lastReviewedBy: h.teamDid })
  expect(h.server.services.moderation.listReports({ status: 'open' }).reports.map((r) => r.id)).not.toContain(report.data.id)

  const labels = await h.agent().com.atproto.label.queryLabels({ uriPatterns: [post.uri] })
  expect(labels.data.labels).toHaveLength(1)
  const label = labels.data.labels[0]!
  expect(label).toMatchObject({ ver: 1, src: h.teamDid, uri: post.uri, cid: post.cid, val: 'spam' })
  const key = await labelKeyFromPlc(h.plc.url, h.teamDid)
  expect(await veriesWithBoth(label, key)).toBe(true)
  const record = await h.team.tools.ozone.moderation.getRecord({ uri: post.uri })
  expect(record.data.labels?.map((l) => l.val)).toEqual(['spam'])
})

async function veriesWithBoth(label: any, key: string) {
  const tampered = { ...label, val: 'not-spam' }
  return (await verifiesWith(label, key)) && !(await verifiesWith(tampered, key))
}

test('a timed takedown: reads refused, #account event on the firehose, reversed by the job when it ends', async () => {
  const sub = await subscribeRepos(h.server.port)
  const carolPost = await carol.agent.post({ text: 'hello', createdAt: new Date().toISOString() })
  const rkey = carolPost.uri.split('/').pop()!
  const read = () => fetch(`${h.server.url}/xrpc/com.atproto.repo.getRecord?repo=${carol.did}&collection=app.bsky.feed.post&rkey=${rkey}`)
  expect((await read()).status).toBe(200)
  const takedown = await h.team.tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventTakedown', durationInHours: 2, comment: 'cool off' },
    subject: { $type: 'com.atproto.admin.defs#repoRef', did: carol.did },
    createdBy: h.teamDid,
  })
  expect(takedown.data.event).toMatchObject({ durationInHours: 2 })
  expect((await read()).status).toBe(400)
  const login = await new AtpAgent({ service: h.server.url }).login({ identifier: 'carol.test', password: carol.password }).catch((e) => e)
  expect(login.error).toBe('AccountTakedown')
  const status = await h.team.tools.ozone.moderation.getRepo({ did: carol.did })
  expect(status.data.moderation.subjectStatus).toMatchObject({ takendown: true })
  expect(Date.parse(status.data.moderation.subjectStatus!.suspendUntil!) - Date.now()).toBeGreaterThan(3600_000)
  const account = async (active: boolean) => {
    for (let i = 0; i < 100 && !sub.frames.some((f) => f.header.t === '#account' && (f.body as any).did === carol.did && (f.body as any).active === active); i++) await Bun.sleep(20)
    return sub.frames.find((f) => f.header.t === '#account' && (f.body as any).did === carol.did && (f.body as any).active === active)?.body
  }
  expect(await account(false)).toMatchObject({ did: carol.did, active: false, status: 'takendown' })
  // Not yet due: nothing happens.
  expect(await h.server.services.moderation.runDueActions()).toEqual({ reversed: 0, executed: 0 })
  h.server.services.moderation.clockOffsetMs = 3 * 3600_000
  try {
    expect(await h.server.services.moderation.runDueActions()).toEqual({ reversed: 1, executed: 0 })
  } finally {
    h.server.services.moderation.clockOffsetMs = 0
  }
  expect(await account(true)).toMatchObject({ did: carol.did, active: true })
  expect((await read()).status).toBe(200)
  const events = await h.team.tools.ozone.moderation.queryEvents({ subject: carol.did })
  expect(events.data.events[0]).toMatchObject({ createdBy: h.teamDid, event: { $type: 'tools.ozone.moderation.defs#modEventReverseTakedown' } })
  expect((events.data.events[0]!.event as { comment: string }).comment).toContain('SCHEDULED_REVERSAL')
  sub.ws.close()
})

test('an email event reaches the account through the mailer', async () => {
  const before = h.smtp.mails.length
  const res = await h.team.tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventEmail', subjectLine: 'About your post', content: 'Please stop posting spam.' },
    subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did },
    createdBy: h.teamDid,
  })
  expect(res.data.event).toMatchObject({ isDelivered: true })
  for (let i = 0; i < 100 && h.smtp.mails.length === before; i++) await Bun.sleep(20)
  const mail = h.smtp.mails.at(-1)!
  expect(mail.to).toEqual(['bob@example.com'])
  expect(mail.raw).toContain('About your post')
})
