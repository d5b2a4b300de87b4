// tools.ozone.queue.* through @atproto/api: queues with routing rules, new reports routed to the first
// matching enabled queue, routeReports after a change, delete with the reports moved, moderators on
// queues, and bad input (Ozone's error names, nothing changed). Outputs are checked against the lexicons.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { Lexicons } from '@atproto/lexicon'
import { lexiconDocuments } from '../../src/generated/lexicons.gen.ts'
import { fails, startModHarness, type ModHarness } from './moderation-harness.ts'

const SPAM = 'com.atproto.moderation.defs#reasonSpam'
const RUDE = 'com.atproto.moderation.defs#reasonRude'
const SEXUAL = 'com.atproto.moderation.defs#reasonSexual'
const MODERATOR = 'tools.ozone.team.defs#roleModerator'
const TRIAGE = 'tools.ozone.team.defs#roleTriage'

const lex = new Lexicons(lexiconDocuments() as never)
const valid = <T>(nsid: string, data: T): T => (lex.assertValidXrpcOutput(nsid, data), data)

let h: ModHarness
let alice: Awaited<ReturnType<ModHarness['signUp']>>
let bob: Awaited<ReturnType<ModHarness['signUp']>>
let mod: { agent: AtpAgent; did: string }
let triage: AtpAgent
let post: { uri: string; cid: string }

beforeAll(async () => {
  h = await startModHarness()
  alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  const m = await h.signUp('moder')
  const t = await h.signUp('tri')
  const lead = { did: h.teamDid, role: 'tools.ozone.team.defs#roleAdmin' }
  await h.server.services.moderation.team.add(lead, m.did, MODERATOR)
  await h.server.services.moderation.team.add(lead, t.did, TRIAGE)
  mod = { agent: h.viaTeam(m.agent), did: m.did }
  triage = h.viaTeam(t.agent)
  post = await alice.agent.post({ text: 'cheap watches', createdAt: new Date().toISOString() })
})
afterAll(async () => {
  await h.close()
})

const report = (reasonType: string, subject: Record<string, unknown>) => bob.agent.com.atproto.moderation.createReport({ reasonType, subject: subject as never })
const postRef = () => ({ $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid })
const aliceRef = () => ({ $type: 'com.atproto.admin.defs#repoRef', did: alice.did })
const reportFor = async (eventId: number) => {
  for (const status of ['open', 'queued', 'assigned', 'escalated', 'closed']) {
    const found = (await h.team.tools.ozone.report.queryReports({ status, limit: 100 })).data.reports.find((r) => r.eventId === eventId)
    if (found) return found
  }
  throw new Error(`no report for event ${eventId}`)
}

let posts: number
let accounts: number

test('queues route new reports by subject type, collection and report type; listQueues counts them', async () => {
  const q = h.team.tools.ozone.queue
  const created = await q.createQueue({ name: 'Spam posts', subjectTypes: ['record'], collection: 'app.bsky.feed.post', reportTypes: [SPAM], description: 'spam in posts' })
  valid('tools.ozone.queue.createQueue', created.data)
  expect(created.data.queue).toMatchObject({ name: 'Spam posts', subjectTypes: ['record'], collection: 'app.bsky.feed.post', reportTypes: [SPAM], createdBy: h.teamDid, enabled: true, recommendedPolicies: [] })
  posts = created.data.queue.id
  accounts = (await mod.agent.tools.ozone.queue.createQueue({ name: 'Accounts', subjectTypes: ['account'], reportTypes: [SPAM, RUDE] })).data.queue.id
  expect(accounts).toBeGreaterThan(posts)

  const spamPost = await report(SPAM, postRef())
  const rudeAccount = await report(RUDE, aliceRef())
  const sexualPost = await report(SEXUAL, postRef())
  const a = await reportFor(spamPost.data.id)
  expect(a).toMatchObject({ status: 'queued', reportType: SPAM, reportedBy: bob.did, queue: { id: posts, name: 'Spam posts' }, subject: { type: 'record', subject: post.uri } })
  expect(a.queuedAt).toBeDefined()
  expect((await reportFor(rudeAccount.data.id)).queue?.id).toBe(accounts)
  const unmatched = await reportFor(sexualPost.data.id)
  expect(unmatched.status).toBe('open')
  expect(unmatched.queue).toBeUndefined()

  const inPosts = await h.team.tools.ozone.report.queryReports({ status: 'queued', queueId: posts })
  valid('tools.ozone.report.queryReports', inPosts.data)
  expect(inPosts.data.reports.map((r) => r.eventId)).toEqual([spamPost.data.id])
  expect((await triage.tools.ozone.report.queryReports({ status: 'open', queueId: -1 })).data.reports.map((r) => r.eventId)).toEqual([sexualPost.data.id])

  const listed = await triage.tools.ozone.queue.listQueues({})
  valid('tools.ozone.queue.listQueues', listed.data)
  expect(listed.data.queues.map((x) => x.name)).toEqual(['Spam posts', 'Accounts'])
  expect(listed.data.queues[0]!.stats).toMatchObject({ pendingCount: 1, inboundCount: 1, actionedCount: 0, escalatedCount: 0, actionRate: 0 })
  expect((await q.listQueues({ subjectType: 'account' })).data.queues.map((x) => x.id)).toEqual([accounts])
  expect((await q.listQueues({ reportTypes: [RUDE] })).data.queues.map((x) => x.id)).toEqual([accounts])
  expect((await q.listQueues({ collection: 'app.bsky.feed.post' })).data.queues.map((x) => x.id)).toEqual([posts])
  const page = await q.listQueues({ limit: 1 })
  expect(page.data.queues.map((x) => x.id)).toEqual([posts])
  expect((await q.listQueues({ limit: 1, cursor: page.data.cursor })).data.queues.map((x) => x.id)).toEqual([accounts])

  // A reporting tool may name the queue (modTool.meta.queueId) and say it is automated.
  const tool = await bob.agent.com.atproto.moderation.createReport({ reasonType: SEXUAL, subject: aliceRef() as never, modTool: { name: 'spam-filter', meta: { queueId: posts, isAutomated: true } } })
  expect(await reportFor(tool.data.id)).toMatchObject({ status: 'queued', queue: { id: posts }, isAutomated: true })
  const unknownQueue = await bob.agent.com.atproto.moderation.createReport({ reasonType: SPAM, subject: aliceRef() as never, modTool: { name: 'spam-filter', meta: { queueId: 9999 } } })
  expect(await reportFor(unknownQueue.data.id)).toMatchObject({ status: 'open', isAutomated: false })
  await h.team.tools.ozone.report.closeReports({ subject: alice.did, reportTypes: [SPAM] })
})

test('a disabled queue gets nothing; routeReports routes the range again once it is enabled', async () => {
  const q = h.team.tools.ozone.queue
  const updated = await q.updateQueue({ queueId: accounts, enabled: false, description: 'account-level reports' })
  valid('tools.ozone.queue.updateQueue', updated.data)
  expect(updated.data.queue).toMatchObject({ enabled: false, description: 'account-level reports', name: 'Accounts' })
  expect((await q.listQueues({ enabled: false })).data.queues.map((x) => x.id)).toEqual([accounts])
  const missed = await report(SPAM, aliceRef())
  const before = await reportFor(missed.data.id)
  expect(before.status).toBe('open')
  expect(before.queue).toBeUndefined()

  await q.updateQueue({ queueId: accounts, enabled: true })
  const routed = await q.routeReports({ startReportId: before.id, endReportId: before.id })
  expect(valid('tools.ozone.queue.routeReports', routed.data)).toEqual({ assigned: 1, unmatched: 0 })
  expect(await reportFor(missed.data.id)).toMatchObject({ status: 'queued', queue: { id: accounts } })
  // Already routed: nothing left to route in the range.
  expect((await q.routeReports({ startReportId: 1, endReportId: before.id })).data).toEqual({ assigned: 0, unmatched: 1 })
})

test('deleting a queue moves its open reports to another queue; the deleted queue is gone from the list', async () => {
  const q = h.team.tools.ozone.queue
  const spare = (await q.createQueue({ name: 'Spare', subjectTypes: ['record'], collection: 'app.bsky.feed.post', reportTypes: ['com.atproto.moderation.defs#reasonViolation'] })).data.queue.id
  const deleted = await q.deleteQueue({ queueId: posts, migrateToQueueId: spare })
  expect(valid('tools.ozone.queue.deleteQueue', deleted.data)).toEqual({ deleted: true, reportsMigrated: 2 })
  expect((await q.listQueues({})).data.queues.map((x) => x.id)).toEqual([accounts, spare])
  expect((await h.team.tools.ozone.report.queryReports({ status: 'queued', queueId: spare })).data.reports).toHaveLength(2)
  expect((await fails(q.updateQueue({ queueId: posts, name: 'again' }))).error).toBe('QueueNotFound')
  expect((await fails(q.deleteQueue({ queueId: posts }))).error).toBe('QueueNotFound')
  // The name is free again.
  const reborn = await q.createQueue({ name: 'Spam posts', subjectTypes: ['record'], collection: 'app.bsky.feed.post', reportTypes: [SPAM] })
  expect(reborn.data.queue.id).not.toBe(posts)
  const none = await q.deleteQueue({ queueId: reborn.data.queue.id })
  expect(none.data).toEqual({ deleted: true, reportsMigrated: 0 })
})

test('bad input and roles: Ozone error names, and nothing is created or changed', async () => {
  const q = h.team.tools.ozone.queue
  // Everything but the time the figures were counted.
  const snapshot = async () => (await q.listQueues({})).data.queues.map(({ stats: { lastUpdated: _, ...stats }, ...queue }) => ({ ...queue, stats }))
  const before = await snapshot()
  const sameName = await fails(q.createQueue({ name: 'Accounts', subjectTypes: ['account'], reportTypes: ['x'] }))
  expect([sameName.status, sameName.error]).toEqual([400, 'ConflictingQueue'])
  expect((await fails(q.createQueue({ name: 'Overlap', subjectTypes: ['account'], reportTypes: [RUDE] }))).error).toBe('ConflictingQueue')
  expect((await fails(q.createQueue({ name: 'Bad type', subjectTypes: ['planet'], reportTypes: [SPAM] }))).error).toBe('InvalidSubjectType')
  expect((await fails(q.createQueue({ name: 'Bad collection', subjectTypes: ['account'], collection: 'app.bsky.feed.like', reportTypes: [SEXUAL] }))).error).toBe('InvalidCollection')
  expect((await fails(q.createQueue({ name: 'Policies', subjectTypes: ['account'], reportTypes: [SEXUAL], recommendedPolicies: ['no-such-policy'] }))).error).toBe('InvalidRecommendedPolicies')
  expect((await fails(q.updateQueue({ queueId: accounts }))).message).toBe('At least one queue property must be provided')
  expect((await fails(q.updateQueue({ queueId: accounts, name: 'Spare' }))).error).toBe('ConflictingQueue')
  expect((await fails(q.updateQueue({ queueId: 9999, enabled: false }))).error).toBe('QueueNotFound')
  expect((await fails(q.deleteQueue({ queueId: accounts, migrateToQueueId: 9999 }))).error).toBe('QueueNotFound')
  const tooMany = await fails(q.routeReports({ startReportId: 1, endReportId: 6000 }))
  expect([tooMany.status, tooMany.error]).toEqual([400, 'OutOfRange'])
  expect((await fails(q.routeReports({ startReportId: 5, endReportId: 1 }))).error).toBe('InvalidRequest')

  const refused = await fails(triage.tools.ozone.queue.createQueue({ name: 'Triage queue', subjectTypes: ['account'], reportTypes: [SEXUAL] }))
  expect([refused.status, refused.message]).toEqual([401, 'Must be a moderator to create a queue'])
  expect((await fails(triage.tools.ozone.queue.deleteQueue({ queueId: accounts }))).status).toBe(401)
  const outsider = await h.xrpc('tools.ozone.queue.listQueues', { auth: `Bearer ${bob.agent.session?.accessJwt}` })
  expect(outsider).toEqual({ status: 401, body: { error: 'AuthenticationRequired', message: 'not a moderator account' } })
  const noAuth = await h.xrpc('tools.ozone.queue.createQueue', { body: { name: 'x', subjectTypes: ['account'], reportTypes: ['y'] } })
  expect(noAuth.status).toBe(401)
  const badBody = await h.xrpc('tools.ozone.queue.createQueue', { auth: h.server.adminAuth, body: { subjectTypes: ['account'] } })
  expect(badBody.status).toBe(400)
  expect(badBody.body.error).toBe('InvalidRequest')

  expect(await snapshot()).toEqual(before)
})

test('recommended policies name keys of the team policy list setting', async () => {
  await h.team.tools.ozone.setting.upsertOption({ key: 'tools.ozone.setting.policyList', scope: 'instance', value: { spam: { name: 'Spam' }, abuse: { name: 'Abuse' } }, managerRole: 'tools.ozone.team.defs#roleAdmin' })
  const made = await h.team.tools.ozone.queue.createQueue({ name: 'Abuse', subjectTypes: ['account'], reportTypes: [SEXUAL], recommendedPolicies: ['abuse'] })
  expect(made.data.queue.recommendedPolicies).toEqual(['abuse'])
  const changed = await h.team.tools.ozone.queue.updateQueue({ queueId: made.data.queue.id, recommendedPolicies: ['spam', 'abuse'] })
  expect(changed.data.queue.recommendedPolicies).toEqual(['spam', 'abuse'])
  expect((await fails(h.team.tools.ozone.queue.updateQueue({ queueId: made.data.queue.id, recommendedPolicies: ['nope'] }))).error).toBe('InvalidRecommendedPolicies')
})

test('moderators on queues: themselves, admins anyone; unassigning twice or an unknown queue is InvalidAssignment', async () => {
  const q = mod.agent.tools.ozone.queue
  const assigned = await q.assignModerator({ queueId: accounts, did: mod.did })
  valid('tools.ozone.queue.assignModerator', assigned.data)
  expect(assigned.data).toMatchObject({ did: mod.did, queue: { id: accounts, name: 'Accounts' }, moderator: { did: mod.did, role: MODERATOR } })
  expect(assigned.data.endAt).toBeUndefined()
  // Again: the same permanent assignment.
  expect((await q.assignModerator({ queueId: accounts, did: mod.did })).data.id).toBe(assigned.data.id)
  const byAdmin = await h.team.tools.ozone.queue.assignModerator({ queueId: accounts, did: alice.did })
  expect(byAdmin.data.did).toBe(alice.did)

  const listed = await triage.tools.ozone.queue.getAssignments({ queueIds: [accounts] })
  valid('tools.ozone.queue.getAssignments', listed.data)
  expect(listed.data.assignments.map((a) => a.did)).toEqual([alice.did, mod.did])
  expect((await triage.tools.ozone.queue.getAssignments({ dids: [mod.did] })).data.assignments.map((a) => a.id)).toEqual([assigned.data.id])

  const other = await fails(q.assignModerator({ queueId: accounts, did: alice.did }))
  expect([other.status, other.error]).toEqual([403, 'Forbidden'])
  expect((await fails(triage.tools.ozone.queue.assignModerator({ queueId: accounts, did: h.teamDid }))).status).toBe(403)
  expect((await fails(q.assignModerator({ queueId: 9999, did: mod.did }))).error).toBe('InvalidAssignment')

  await q.unassignModerator({ queueId: accounts, did: mod.did })
  expect((await fails(q.unassignModerator({ queueId: accounts, did: mod.did }))).error).toBe('InvalidAssignment')
  expect((await triage.tools.ozone.queue.getAssignments({ queueIds: [accounts] })).data.assignments.map((a) => a.did)).toEqual([alice.did])
  const all = await triage.tools.ozone.queue.getAssignments({ queueIds: [accounts], onlyActive: false })
  expect(all.data.assignments.find((a) => a.id === assigned.data.id)?.endAt).toBeDefined()
})
