// tools.ozone.report.* through @atproto/api: reports as rows with Ozone's status rules (activities,
// assignments, queue moves, closing a subject's reports, emitEvent's reportAction), and their statistics.
// Bad input gets Ozone's error names and changes nothing. Outputs are checked against the lexicons.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { Lexicons } from '@atproto/lexicon'
import { lexiconDocuments } from '../../src/generated/lexicons.gen.ts'
import { fails, startModHarness, type ModHarness } from './moderation-harness.ts'

const SPAM = 'com.atproto.moderation.defs#reasonSpam'
const RUDE = 'com.atproto.moderation.defs#reasonRude'
const DEFS = 'tools.ozone.report.defs#'

const lex = new Lexicons(lexiconDocuments() as never)
const valid = <T>(nsid: string, data: T): T => (lex.assertValidXrpcOutput(nsid, data), data)

let h: ModHarness
let alice: Awaited<ReturnType<ModHarness['signUp']>>
let bob: Awaited<ReturnType<ModHarness['signUp']>>
let carol: Awaited<ReturnType<ModHarness['signUp']>>
let mod: { agent: AtpAgent; did: string }
let triage: { agent: AtpAgent; did: string }
let post: { uri: string; cid: string }
let queueId: number

beforeAll(async () => {
  h = await startModHarness()
  alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  carol = await h.signUp('carol')
  const m = await h.signUp('moder')
  const t = await h.signUp('tri')
  const lead = { did: h.teamDid, role: 'tools.ozone.team.defs#roleAdmin' }
  await h.server.services.moderation.team.add(lead, m.did, 'tools.ozone.team.defs#roleModerator')
  await h.server.services.moderation.team.add(lead, t.did, 'tools.ozone.team.defs#roleTriage')
  mod = { agent: h.viaTeam(m.agent), did: m.did }
  triage = { agent: h.viaTeam(t.agent), did: t.did }
  post = await alice.agent.post({ text: 'free crypto', createdAt: new Date().toISOString() })
  queueId = (await h.team.tools.ozone.queue.createQueue({ name: 'Posts', subjectTypes: ['record'], collection: 'app.bsky.feed.post', reportTypes: [SPAM] })).data.queue.id
})
afterAll(async () => {
  await h.close()
})

const postRef = () => ({ $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid })
const aliceRef = () => ({ $type: 'com.atproto.admin.defs#repoRef', did: alice.did })
/** A report by `by`; returns the report row's id and its event's id. */
async function report(by: { agent: AtpAgent }, reasonType: string, subject: Record<string, unknown>, reason?: string) {
  const made = await by.agent.com.atproto.moderation.createReport({ reasonType, subject: subject as never, reason })
  const latest = (await h.team.tools.ozone.report.getLatestReport()).data.report
  expect(latest.eventId).toBe(made.data.id)
  return { id: latest.id, eventId: made.data.id }
}
const statusOf = async (id: number) => (await h.team.tools.ozone.report.getReport({ id })).data.status
const r = () => h.team.tools.ozone.report

test('a report is a row: getReport and getLatestReport show its subject, reporter, queue and comment', async () => {
  const { id, eventId } = await report(bob, SPAM, postRef(), 'scam link')
  const got = await triage.agent.tools.ozone.report.getReport({ id })
  valid('tools.ozone.report.getReport', got.data)
  expect(got.data).toMatchObject({
    id,
    eventId,
    status: 'queued',
    reportType: SPAM,
    reportedBy: bob.did,
    comment: 'scam link',
    subject: { type: 'record', subject: post.uri, record: { uri: post.uri }, repo: { did: alice.did, handle: 'alice.test' } },
    reporter: { type: 'account', subject: bob.did, repo: { did: bob.did } },
    queue: { id: queueId, name: 'Posts', stats: { pendingCount: 1 } },
    isMuted: false,
    isAutomated: false,
    relatedReportCount: 0,
  })
  valid('tools.ozone.report.getLatestReport', (await r().getLatestReport()).data)
  // A report emitted by the team is a report row too.
  const emitted = await h.team.tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventReport', reportType: RUDE, comment: 'seen in the wild' }, subject: postRef() as never, createdBy: h.teamDid })
  const latest = (await r().getLatestReport()).data.report
  expect(latest).toMatchObject({ eventId: emitted.data.id, reportType: RUDE, reportedBy: h.teamDid, comment: 'seen in the wild', status: 'open', relatedReportCount: 1 })
  await r().createActivity({ reportId: latest.id, activity: { $type: `${DEFS}closeActivity` } })
  const missing = await fails(r().getReport({ id: 9999 }))
  expect([missing.status, missing.error]).toEqual([400, 'NotFound'])
})

test("createActivity moves a report as Ozone's state machine allows; refused transitions change nothing", async () => {
  const { id, eventId } = await report(carol, SPAM, postRef())
  const assigned = await triage.agent.tools.ozone.report.createActivity({ reportId: id, activity: { $type: `${DEFS}assignmentActivity` }, internalNote: 'taking it' })
  valid('tools.ozone.report.createActivity', assigned.data)
  expect(assigned.data.activity).toMatchObject({ reportId: id, activity: { $type: `${DEFS}assignmentActivity`, previousStatus: 'queued' }, internalNote: 'taking it', isAutomated: false, createdBy: triage.did, moderator: { did: triage.did } })
  expect(await statusOf(id)).toBe('assigned')

  const reopen = await fails(r().createActivity({ reportId: id, activity: { $type: `${DEFS}reopenActivity` } }))
  expect([reopen.status, reopen.error, reopen.message]).toEqual([400, 'InvalidStateTransition', "Cannot transition report from 'assigned' to 'open'"])
  const again = await fails(r().createActivity({ reportId: id, activity: { $type: `${DEFS}assignmentActivity` } }))
  expect(again.error).toBe('AlreadyInTargetState')
  expect(await statusOf(id)).toBe('assigned')

  const note = await r().createActivity({ reportId: id, activity: { $type: `${DEFS}noteActivity` }, publicNote: 'we are looking', isAutomated: true })
  expect(note.data.activity.activity).toEqual({ $type: `${DEFS}noteActivity` })
  expect(note.data.activity.isAutomated).toBe(true)
  expect(await statusOf(id)).toBe('assigned')

  // By the report event's id, as Ozone's clients may.
  await r().createActivity({ eventId, activity: { $type: `${DEFS}closeActivity` } })
  expect(await statusOf(id)).toBe('closed')
  expect((await fails(r().createActivity({ reportId: id, activity: { $type: `${DEFS}escalationActivity` } }))).error).toBe('InvalidStateTransition')
  await r().createActivity({ reportId: id, activity: { $type: `${DEFS}reopenActivity` } })
  expect(await statusOf(id)).toBe('open')

  const both = await fails(r().createActivity({ reportId: id, eventId, activity: { $type: `${DEFS}noteActivity` } }))
  expect([both.error, both.message]).toEqual(['InvalidRequest', 'Exactly one of reportId or eventId must be provided'])
  expect((await fails(r().createActivity({ reportId: 9999, activity: { $type: `${DEFS}closeActivity` } }))).error).toBe('ReportNotFound')
  expect((await fails(r().createActivity({ eventId: 9999, activity: { $type: `${DEFS}closeActivity` } }))).error).toBe('ReportNotFound')
  expect((await fails(r().createActivity({ reportId: id, activity: { $type: `${DEFS}danceActivity` } }))).error).toBe('InvalidActivityType')

  const listed = await r().listActivities({ reportId: id })
  valid('tools.ozone.report.listActivities', listed.data)
  expect(listed.data.activities.map((a) => a.activity.$type.slice(DEFS.length))).toEqual(['reopenActivity', 'closeActivity', 'noteActivity', 'assignmentActivity'])
  const first = await r().listActivities({ reportId: id, limit: 3 })
  expect((await r().listActivities({ reportId: id, cursor: first.data.cursor })).data.activities.map((a) => a.id)).toEqual([assigned.data.activity.id])

  const closes = await r().queryActivities({ activityTypes: ['closeActivity'] })
  valid('tools.ozone.report.queryActivities', closes.data)
  expect(closes.data.activities).toHaveLength(2) // this report's, and the emitted report closed earlier
  expect(closes.data.activities[0]).toMatchObject({ reportId: id, activity: { previousStatus: 'assigned' }, report: { id, reportedBy: carol.did } })
  const asc = await r().queryActivities({ sortDirection: 'asc', limit: 2 })
  const rest = await r().queryActivities({ sortDirection: 'asc', cursor: asc.data.cursor })
  expect([...asc.data.activities, ...rest.data.activities].map((a) => a.id)).toEqual((await r().queryActivities({ sortDirection: 'asc' })).data.activities.map((a) => a.id))
  expect((await fails(r().queryActivities({ cursor: 'nope' }))).error).toBe('InvalidRequest')
})

test('assignments: a claim for minutes, a permanent one moves the report; release sends it back to its queue', async () => {
  const { id } = await report(bob, SPAM, postRef(), 'again')
  const claim = await triage.agent.tools.ozone.report.assignModerator({ reportId: id })
  valid('tools.ozone.report.assignModerator', claim.data)
  expect(claim.data).toMatchObject({ did: triage.did, reportId: id })
  expect(Date.parse(claim.data.endAt!) - Date.parse(claim.data.startAt)).toBe(5 * 60_000)
  expect(await statusOf(id)).toBe('queued')
  const taken = await fails(mod.agent.tools.ozone.report.assignModerator({ reportId: id }))
  expect([taken.status, taken.error]).toEqual([400, 'AlreadyAssigned'])
  const forOther = await fails(mod.agent.tools.ozone.report.assignModerator({ reportId: id, did: triage.did }))
  expect([forOther.status, forOther.error]).toEqual([403, 'Forbidden'])

  const permanent = await r().assignModerator({ reportId: id, did: mod.did, queueId, isPermanent: true })
  expect(permanent.data).toMatchObject({ id: claim.data.id, did: mod.did, queue: { id: queueId } })
  expect(permanent.data.endAt).toBeUndefined()
  const view = (await r().getReport({ id })).data
  expect(view).toMatchObject({ status: 'assigned', assignment: { did: mod.did, moderator: { did: mod.did } } })
  expect((await r().queryReports({ status: 'assigned', assignedTo: mod.did })).data.reports.map((x) => x.id)).toEqual([id])
  expect((await fails(triage.agent.tools.ozone.report.assignModerator({ reportId: id, isPermanent: true }))).error).toBe('AlreadyAssigned')
  const listed = await triage.agent.tools.ozone.report.getAssignments({ reportIds: [id] })
  valid('tools.ozone.report.getAssignments', listed.data)
  expect(listed.data.assignments.map((a) => a.did)).toEqual([mod.did])
  expect((await r().getAssignments({ dids: [mod.did] })).data.assignments.map((a) => a.reportId)).toEqual([id])

  const released = await mod.agent.tools.ozone.report.unassignModerator({ reportId: id })
  valid('tools.ozone.report.unassignModerator', released.data)
  expect(released.data.endAt).toBeDefined()
  expect((await r().getReport({ id })).data).toMatchObject({ status: 'queued' })
  expect((await r().getReport({ id })).data.assignment).toBeUndefined()
  expect((await r().getAssignments({ reportIds: [id] })).data.assignments).toEqual([])
  expect((await r().getAssignments({ reportIds: [id], onlyActive: false })).data.assignments).toHaveLength(1)
  expect((await fails(r().unassignModerator({ reportId: id }))).error).toBe('InvalidAssignment')
  expect((await fails(r().assignModerator({ reportId: 9999 }))).error).toBe('InvalidAssignment')
  expect((await fails(r().assignModerator({ reportId: id, queueId: 9999 }))).error).toBe('InvalidAssignment')
  // A closed report cannot be assigned for good: refused, and no assignment is left behind.
  const done = await report(carol, RUDE, aliceRef())
  await r().createActivity({ reportId: done.id, activity: { $type: `${DEFS}closeActivity` } })
  expect((await fails(r().assignModerator({ reportId: done.id, isPermanent: true }))).error).toBe('InvalidStateTransition')
  expect((await r().getAssignments({ reportIds: [done.id], onlyActive: false })).data.assignments).toEqual([])
  expect((await r().getReport({ id: done.id })).data.assignment).toBeUndefined()
})

test('reassignQueue moves a report between queues (open ↔ queued) with a queue activity; Ozone errors', async () => {
  const { id } = await report(bob, RUDE, postRef())
  expect(await statusOf(id)).toBe('open')
  const moved = await r().reassignQueue({ reportId: id, queueId, comment: 'belongs with posts' })
  valid('tools.ozone.report.reassignQueue', moved.data)
  expect(moved.data.report).toMatchObject({ status: 'queued', queue: { id: queueId } })
  const activity = (await r().listActivities({ reportId: id })).data.activities[0]!
  expect(activity).toMatchObject({ activity: { $type: `${DEFS}queueActivity`, previousStatus: 'open' }, internalNote: 'belongs with posts', meta: { fromQueueId: -1, toQueueId: queueId } })
  expect((await fails(r().reassignQueue({ reportId: id, queueId }))).error).toBe('AlreadyInTargetQueue')
  expect((await fails(r().reassignQueue({ reportId: id, queueId: 9999 }))).error).toBe('QueueNotFound')
  expect((await fails(r().reassignQueue({ reportId: 9999, queueId: -1 }))).error).toBe('ReportNotFound')
  const off = (await h.team.tools.ozone.queue.createQueue({ name: 'Off', subjectTypes: ['account'], reportTypes: ['x'] })).data.queue.id
  await h.team.tools.ozone.queue.updateQueue({ queueId: off, enabled: false })
  expect((await fails(r().reassignQueue({ reportId: id, queueId: off }))).error).toBe('QueueDisabled')
  expect((await r().reassignQueue({ reportId: id, queueId: -1 })).data.report.status).toBe('open')
  await r().createActivity({ reportId: id, activity: { $type: `${DEFS}closeActivity` } })
  expect((await fails(r().reassignQueue({ reportId: id, queueId }))).error).toBe('ReportClosed')
})

test("closeReports closes a subject's reports that may close; emitEvent's reportAction acts on the reports it names", async () => {
  const a = await report(bob, SPAM, aliceRef())
  const b = await report(carol, RUDE, aliceRef())
  const c = await report(carol, SPAM, aliceRef())
  const closed = await triage.agent.tools.ozone.report.closeReports({ subject: alice.did, reportTypes: [RUDE], internalNote: 'not rude' })
  expect(valid('tools.ozone.report.closeReports', closed.data)).toEqual({ closedCount: 1, reportIds: [b.id] })
  expect((await r().listActivities({ reportId: b.id })).data.activities[0]).toMatchObject({ activity: { $type: `${DEFS}closeActivity` }, internalNote: 'not rude', createdBy: triage.did })
  expect((await fails(r().closeReports({ subject: 'https://example.com' }))).error).toBe('InvalidRequest')

  const eventsBefore = (await h.team.tools.ozone.moderation.queryEvents({ subject: alice.did })).data.events.length
  const unknown = await fails(
    h.team.tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, subject: aliceRef() as never, createdBy: h.teamDid, reportAction: { ids: [a.id, 9999] } }),
  )
  expect([unknown.status, unknown.error]).toEqual([400, 'InvalidRequest'])
  expect((await fails(h.team.tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, subject: aliceRef() as never, createdBy: h.teamDid, reportAction: {} }))).message).toBe(
    'reportAction must specify ids, types, or all',
  )
  expect((await h.team.tools.ozone.moderation.queryEvents({ subject: alice.did })).data.events).toHaveLength(eventsBefore)
  expect(await statusOf(a.id)).toBe('open')

  const ack = await h.team.tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, subject: aliceRef() as never, createdBy: h.teamDid, reportAction: { ids: [a.id], note: 'thanks, handled' } })
  const acted = (await r().getReport({ id: a.id })).data
  expect(acted).toMatchObject({ status: 'closed', actionEventIds: [ack.data.id], actionNote: 'thanks, handled', actions: [{ id: ack.data.id }] })
  expect(await statusOf(c.id)).toBe('open')
  await h.team.tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventEscalate' }, subject: aliceRef() as never, createdBy: h.teamDid, reportAction: { all: true } })
  expect(await statusOf(c.id)).toBe('escalated')
  expect((await r().queryReports({ status: 'escalated', subject: alice.did })).data.reports.map((x) => x.id)).toEqual([c.id])
  expect((await r().queryReports({ status: 'escalated', did: alice.did, subjectType: 'record' })).data.reports).toEqual([])

  // The console acts on a report by its event: the row follows.
  const d = await report(bob, SPAM, aliceRef())
  await h.server.services.moderation.resolveReport(d.eventId, { did: h.teamDid, role: 'tools.ozone.team.defs#roleAdmin' })
  expect(await statusOf(d.id)).toBe('closed')
})

test('queryReports filters and pages; a muted reporter\'s reports are muted', async () => {
  await h.team.tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventMuteReporter', durationInHours: 24 }, subject: { $type: 'com.atproto.admin.defs#repoRef', did: carol.did } as never, createdBy: h.teamDid })
  const muted = await report(carol, SPAM, aliceRef())
  expect((await r().getReport({ id: muted.id })).data.isMuted).toBe(true)
  expect((await r().queryReports({ status: 'open', isMuted: true })).data.reports.map((x) => x.id)).toEqual([muted.id])
  expect((await r().queryReports({ status: 'open' })).data.reports.map((x) => x.id)).not.toContain(muted.id)

  const all = (await r().queryReports({ status: 'queued', limit: 100 })).data.reports
  expect(all.length).toBeGreaterThanOrEqual(2)
  const page = await r().queryReports({ status: 'queued', limit: 1 })
  const next = await r().queryReports({ status: 'queued', limit: 100, cursor: page.data.cursor })
  expect([...page.data.reports, ...next.data.reports].map((x) => x.id)).toEqual(all.map((x) => x.id))
  const asc = (await r().queryReports({ status: 'queued', sortDirection: 'asc', sortField: 'updatedAt' })).data.reports.map((x) => x.id)
  expect(asc).toHaveLength(all.length)
  expect((await r().queryReports({ status: 'queued', collections: ['app.bsky.feed.post'], reportTypes: [SPAM] })).data.reports.length).toBe(all.length)
  expect((await r().queryReports({ status: 'queued', collections: ['app.bsky.feed.like'] })).data.reports).toEqual([])
  expect((await r().queryReports({ status: 'queued', reportedAfter: new Date(Date.now() + 60_000).toISOString() })).data.reports).toEqual([])
  expect((await fails(r().queryReports({ status: 'queued', cursor: 'garbage' }))).error).toBe('InvalidRequest')
  const outsider = await h.xrpc('tools.ozone.report.queryReports', { params: { status: 'open' }, auth: `Bearer ${bob.agent.session?.accessJwt}` })
  expect(outsider.status).toBe(401)
})

test('live statistics count today; refreshStats keeps a daily snapshot for getHistoricalStats', async () => {
  const live = await triage.agent.tools.ozone.report.getLiveStats({})
  valid('tools.ozone.report.getLiveStats', live.data)
  const total = (status: string) => r().queryReports({ status, limit: 100, isMuted: false }).then((x) => x.data.reports.length)
  const mutedCount = 1
  const counts = { open: await total('open'), queued: await total('queued'), escalated: await total('escalated'), closed: await total('closed'), assigned: await total('assigned') }
  const inbound = Object.values(counts).reduce((a, b) => a + b, 0) + mutedCount
  expect(live.data.stats).toMatchObject({ inboundCount: inbound, pendingCount: inbound - counts.closed, actionedCount: counts.closed, escalatedCount: counts.escalated, actionRate: Math.round((counts.closed / inbound) * 100) })
  expect(live.data.stats.avgHandlingTimeSec).toBeGreaterThanOrEqual(0)
  const inQueue = (await r().getLiveStats({ queueId })).data.stats
  const listed = (await h.team.tools.ozone.queue.listQueues({})).data.queues.find((q) => q.id === queueId)!.stats
  expect({ ...inQueue, lastUpdated: undefined } as object).toEqual({ ...listed, lastUpdated: undefined })
  let rude = 0
  for (const status of Object.keys(counts)) rude += (await r().queryReports({ status, reportTypes: [RUDE], limit: 100 })).data.reports.length
  expect(rude).toBeGreaterThan(0)
  expect((await r().getLiveStats({ reportTypes: [RUDE] })).data.stats.inboundCount).toBe(rude)

  const forbidden = await fails(mod.agent.tools.ozone.report.getLiveStats({ moderatorDid: mod.did }))
  expect([forbidden.status, forbidden.error]).toEqual([403, 'Forbidden'])
  const modStats = (await r().getLiveStats({ moderatorDid: mod.did })).data.stats
  expect(modStats.pendingCount).toBeUndefined()

  const today = new Date().toISOString().slice(0, 10)
  // The background job keeps today's snapshot and finishes yesterday's.
  h.server.services.moderation.reporting.stats.refreshDue()
  const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10)
  const days = (await r().getHistoricalStats({})).data.stats
  expect(days.map((s) => s.date)).toEqual([today, yesterday])
  expect(days[1]).toMatchObject({ inboundCount: 0, actionedCount: 0 })
  expect(valid('tools.ozone.report.refreshStats', (await mod.agent.tools.ozone.report.refreshStats({ startDate: today, endDate: today })).data)).toEqual({})
  const history = await triage.agent.tools.ozone.report.getHistoricalStats({ startDate: `${today}T00:00:00.000Z` })
  valid('tools.ozone.report.getHistoricalStats', history.data)
  expect(history.data.stats).toHaveLength(1)
  const { date, computedAt, ...figures } = history.data.stats[0]!
  expect(date).toBe(today)
  expect(computedAt).toBeDefined()
  const { lastUpdated: _, ...liveFigures } = (await r().getLiveStats({})).data.stats
  expect(figures as object).toEqual(liveFigures)
  // Ozone's console asks for its report type groups; each has its snapshot (all reports here are legacy types).
  const legacy = ['Spam', 'Violation', 'Misleading', 'Sexual', 'Rude', 'Other', 'Appeal'].map((t) => `com.atproto.moderation.defs#reason${t}`)
  expect((await r().getHistoricalStats({ reportTypes: legacy, startDate: `${today}T00:00:00.000Z` })).data.stats.map((s) => s.inboundCount)).toEqual([liveFigures.inboundCount])
  expect((await r().getHistoricalStats({ queueId })).data.stats.map((s) => [s.date, s.inboundCount])).toEqual([[today, inQueue.inboundCount], [yesterday, 0]])

  expect((await fails(triage.agent.tools.ozone.report.refreshStats({ startDate: today, endDate: today }))).status).toBe(401)
  expect((await fails(r().refreshStats({ startDate: 'yesterday', endDate: today }))).error).toBe('InvalidRequest')
  expect((await fails(r().refreshStats({ startDate: today, endDate: '2020-01-01' }))).error).toBe('InvalidRequest')
  expect((await fails(mod.agent.tools.ozone.report.getHistoricalStats({ moderatorDid: h.teamDid }))).status).toBe(403)
})
