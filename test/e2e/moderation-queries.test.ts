// queryStatuses and queryEvents with Ozone's filters and sorts, end to end with @atproto/api: each filter
// returns the right subset, each sort the right order (and pages through it), the per-account figures in
// subjectStatusView (accountStats, recordsStats) count what happened; bad parameters are clear errors.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
type Account = Awaited<ReturnType<ModHarness['signUp']>>
let ann: Account
let ben: Account
let cat: Account
let rep: Account
type Ref = { uri: string; cid: string }
let a1: Ref, a2: Ref, aProfile: Ref, b1: Ref, b2: Ref

const D = 'tools.ozone.moderation.defs#'
const repoRef = (did: string) => ({ $type: 'com.atproto.admin.defs#repoRef', did })
const strongRef = (r: Ref) => ({ $type: 'com.atproto.repo.strongRef', uri: r.uri, cid: r.cid })
const emit = (event: Record<string, unknown>, subject: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  h.team.tools.ozone.moderation.emitEvent({ event: event as any, subject: subject as any, createdBy: h.teamDid, ...extra })
const report = (by: Account, subject: Record<string, unknown>, reasonType = 'com.atproto.moderation.defs#reasonSpam') =>
  by.agent.com.atproto.moderation.createReport({ reasonType, subject: subject as any })
const post = (a: Account, text: string) => a.agent.post({ text, createdAt: new Date().toISOString() })

type Params = Parameters<ModHarness['team']['tools']['ozone']['moderation']['queryStatuses']>[0]
/** The subjects (URI or DID) queryStatuses returns, in order. */
const subjects = async (params: Params = {}) =>
  (await h.team.tools.ozone.moderation.queryStatuses({ limit: 100, ...params })).data.subjectStatuses.map((s) => (s.subject as { uri?: string; did?: string }).uri ?? (s.subject as { did: string }).did)
const statusOf = async (subject: string) => (await h.team.tools.ozone.moderation.queryStatuses({ subject })).data.subjectStatuses[0]!
type EventParams = Parameters<ModHarness['team']['tools']['ozone']['moderation']['queryEvents']>[0]
const eventIds = async (params: EventParams) => (await h.team.tools.ozone.moderation.queryEvents({ limit: 100, ...params })).data.events.map((e) => e.id)

const ids: Record<string, number> = {}

beforeAll(async () => {
  h = await startModHarness()
  ;[ann, ben, cat, rep] = await Promise.all(['ann', 'ben', 'cat', 'rep'].map((n) => h.signUp(n)))
  a1 = await post(ann, 'a1')
  a2 = await post(ann, 'a2')
  aProfile = await ann.agent.com.atproto.repo.putRecord({ repo: ann.did, collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'Ann' } }).then((r) => r.data)
  b1 = await post(ben, 'b1')
  b2 = await post(ben, 'b2')
  // ann: three records reported; ben: one reported, another taken down and appealed; cat: the account.
  for (const r of [a1, a2, aProfile, b1]) await report(rep, strongRef(r))
  await report(rep, repoRef(cat.did))
  ids.takedown = (await emit({ $type: `${D}modEventTakedown`, policies: ['Spam-Policy'], comment: 'alpha reasons' }, strongRef(b2))).data.id
  ids.appeal = (await report(ben, strongRef(b2), 'com.atproto.moderation.defs#reasonAppeal')).data.id
  ids.suspend = (await emit({ $type: `${D}modEventTakedown`, durationInHours: 1 }, repoRef(cat.did))).data.id
  await emit({ $type: `${D}modEventReverseTakedown` }, repoRef(cat.did))
  ids.escalate = (await emit({ $type: `${D}modEventEscalate`, comment: 'beta look' }, repoRef(cat.did))).data.id
  ids.tagBoth = (await emit({ $type: `${D}modEventTag`, add: ['x', 'y'], remove: [] }, strongRef(a1))).data.id
  ids.tagX = (await emit({ $type: `${D}modEventTag`, add: ['x'], remove: [] }, strongRef(a2))).data.id
  ids.untag = (await emit({ $type: `${D}modEventTag`, add: [], remove: ['y'] }, strongRef(a2))).data.id
  ids.labels = (await emit({ $type: `${D}modEventLabel`, createLabelVals: ['l1', 'l2'], negateLabelVals: [] }, strongRef(a2))).data.id
  ids.label1 = (await emit({ $type: `${D}modEventLabel`, createLabelVals: ['l1'], negateLabelVals: ['l2'] }, strongRef(a2))).data.id
  ids.tool = (await emit({ $type: `${D}modEventComment`, comment: 'batch' }, strongRef(b1), { modTool: { name: 'automod', meta: { batchId: 'b-1' } } })).data.id
  ids.tool2 = (await emit({ $type: `${D}modEventComment`, comment: 'batch' }, strongRef(a1), { modTool: { name: 'ozone-ui', meta: { batchId: 'b-2' } } })).data.id
})

afterAll(async () => {
  await h.close()
})

describe('queryStatuses', () => {
  test('the per-account figures in each subjectStatusView', async () => {
    const a = await statusOf(a1.uri)
    expect(a.recordsStats).toEqual({
      $type: `${D}recordsStats`,
      totalReports: 3,
      reportedCount: 3,
      escalatedCount: 0,
      appealedCount: 0,
      subjectCount: 3,
      pendingCount: 2,
      processedCount: 1,
      takendownCount: 0,
    })
    const b = await statusOf(b2.uri)
    expect(b.recordsStats).toMatchObject({ totalReports: 1, reportedCount: 1, appealedCount: 1, subjectCount: 2, takendownCount: 1 })
    // The appeal moved the taken-down record to the escalated queue; a comment counts as a review.
    expect(b).toMatchObject({ takendown: true, appealed: true, reviewState: `${D}reviewEscalated` })
    expect(await statusOf(b1.uri)).toMatchObject({ reviewState: `${D}reviewOpen`, lastReviewedBy: h.teamDid })
    const c = await statusOf(cat.did)
    expect(c.accountStats).toEqual({ $type: `${D}accountStats`, reportCount: 1, appealCount: 0, suspendCount: 1, escalateCount: 1, takedownCount: 0 })
    expect(c.recordsStats).toMatchObject({ subjectCount: 0, totalReports: 0 })
    expect(c.hosting).toMatchObject({ $type: `${D}accountHosting`, status: 'active' })
  })

  test('sorted by the account’s reported and taken-down records, both directions, paged without gaps', async () => {
    const annSubjects = new Set([a1.uri, a2.uri, aProfile.uri])
    const desc = await subjects({ sortField: 'reportedRecordsCount', sortDirection: 'desc' })
    expect(desc).toHaveLength(6)
    expect(new Set(desc.slice(0, 3))).toEqual(annSubjects)
    expect(new Set(desc.slice(3, 5))).toEqual(new Set([b1.uri, b2.uri]))
    expect(desc[5]).toBe(cat.did)
    const asc = await subjects({ sortField: 'reportedRecordsCount', sortDirection: 'asc' })
    expect(asc[0]).toBe(cat.did)
    expect(new Set(asc.slice(3))).toEqual(annSubjects)

    const paged: string[] = []
    let cursor: string | undefined
    for (let i = 0; i < 10; i++) {
      const page = await h.team.tools.ozone.moderation.queryStatuses({ sortField: 'reportedRecordsCount', limit: 2, cursor })
      paged.push(...page.data.subjectStatuses.map((s) => (s.subject as { uri?: string; did?: string }).uri ?? (s.subject as { did: string }).did))
      cursor = page.data.cursor
      if (!cursor) break
    }
    expect(paged).toEqual(desc)

    const byTakedowns = await subjects({ sortField: 'takendownRecordsCount' })
    expect(new Set(byTakedowns.slice(0, 2))).toEqual(new Set([b1.uri, b2.uri]))
  })

  test('minimum counts: reported records, taken-down records, suspensions', async () => {
    expect(new Set(await subjects({ minReportedRecordsCount: 2 }))).toEqual(new Set([a1.uri, a2.uri, aProfile.uri]))
    expect(new Set(await subjects({ minTakendownRecordsCount: 1 }))).toEqual(new Set([b1.uri, b2.uri]))
    expect(await subjects({ minAccountSuspendCount: 1 })).toEqual([cat.did])
    expect(await subjects({ minAccountSuspendCount: 2 })).toEqual([])
  })

  test('collections, subjectType and ignoreSubjects', async () => {
    expect(await subjects({ collections: ['app.bsky.actor.profile'] })).toEqual([aProfile.uri])
    expect((await subjects({ collections: ['app.bsky.feed.post'] })).sort()).toEqual([a1.uri, a2.uri, b1.uri, b2.uri].sort())
    // subjectType account wins over collections.
    expect(await subjects({ subjectType: 'account', collections: ['app.bsky.feed.post'] })).toEqual([cat.did])
    expect(await subjects({ subjectType: 'record' })).toHaveLength(5)
    expect(await subjects({ subjectType: 'conversation' })).toEqual([])
    const withoutAnn = await subjects({ ignoreSubjects: [ann.did] })
    expect(withoutAnn.sort()).toEqual([b1.uri, b2.uri, cat.did].sort())
    expect(await subjects({ ignoreSubjects: [a1.uri] })).not.toContain(a1.uri)
    expect(await subjects({ ignoreSubjects: [a1.uri] })).toHaveLength(5)
  })

  test('tags: items are ORed, && inside an item ANDs; excludeTags', async () => {
    expect(await subjects({ tags: ['x && y'] })).toEqual([a1.uri])
    expect(await subjects({ tags: ['y', 'nothing'] })).toEqual([a1.uri])
    expect((await subjects({ tags: ['x'] })).sort()).toEqual([a1.uri, a2.uri].sort())
    expect(await subjects({ tags: ['x'], excludeTags: ['y'] })).toEqual([a2.uri])
  })

  test('queueCount/queueIndex split the queue by account: disjoint shares that cover it; the seed reshuffles', async () => {
    const all = (await subjects()).sort()
    const layouts = new Set<string>()
    for (const queueSeed of [undefined, 'monday', 'tuesday', 'wednesday']) {
      const shares = await Promise.all([0, 1, 2].map((queueIndex) => subjects({ queueCount: 3, queueIndex, queueSeed })))
      layouts.add(JSON.stringify(shares.map((share) => share.length)))
      expect(shares.flat().sort()).toEqual(all)
      // An account's subjects stay in one share.
      const shareOf = (s: string) => shares.findIndex((share) => share.includes(s))
      expect(shareOf(a1.uri)).toBe(shareOf(a2.uri))
      expect(shareOf(b1.uri)).toBe(shareOf(b2.uri))
      // Stable for the same parameters.
      expect(await subjects({ queueCount: 3, queueIndex: 0, queueSeed })).toEqual(shares[0]!)
    }
    // The shares are real splits, and seeds lay them out differently.
    expect(layouts.size).toBeGreaterThan(1)
    // An index outside the queues filters nothing (as Ozone).
    expect((await subjects({ queueCount: 3, queueIndex: 7 })).sort()).toEqual(all)
  })

  test('bad parameters are clear errors', async () => {
    const bad = await h.xrpc('tools.ozone.moderation.queryStatuses', { auth: h.server.adminAuth, params: { sortField: 'bogus' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toBe('InvalidRequest')
    const cursor = await h.xrpc('tools.ozone.moderation.queryStatuses', { auth: h.server.adminAuth, params: { cursor: 'nope' } })
    expect(cursor).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Malformed cursor' } })
    const priority = await h.xrpc('tools.ozone.moderation.queryStatuses', { auth: h.server.adminAuth, params: { minPriorityScore: '101' } })
    expect(priority.status).toBe(400)
  })
})

describe('queryEvents', () => {
  test('collections and subjectType', async () => {
    const profileEvents = await h.team.tools.ozone.moderation.queryEvents({ collections: ['app.bsky.actor.profile'] })
    expect(profileEvents.data.events.map((e) => (e.subject as { uri: string }).uri)).toEqual([aProfile.uri])
    const accountEvents = await h.team.tools.ozone.moderation.queryEvents({ subjectType: 'account', limit: 100 })
    expect(new Set(accountEvents.data.events.map((e) => (e.subject as { did: string }).did))).toEqual(new Set([cat.did]))
    const recordEvents = await h.team.tools.ozone.moderation.queryEvents({ subjectType: 'record', limit: 100 })
    expect(recordEvents.data.events.every((e) => (e.subject as { uri?: string }).uri)).toBe(true)
  })

  test('policies (case-insensitive), modTool and batchId', async () => {
    expect(await eventIds({ policies: ['spam'] })).toEqual([ids.takedown])
    expect(await eventIds({ policies: ['harassment'] })).toEqual([])
    expect(await eventIds({ modTool: ['automod'] })).toEqual([ids.tool])
    expect(await eventIds({ modTool: ['automod', 'ozone-ui'] })).toEqual([ids.tool2, ids.tool])
    expect(await eventIds({ batchId: 'b-2' })).toEqual([ids.tool2])
  })

  test('labels and tags added or removed: every value given must be there', async () => {
    expect(await eventIds({ addedLabels: ['l1', 'l2'] })).toEqual([ids.labels])
    expect(await eventIds({ addedLabels: ['l1'] })).toEqual([ids.label1, ids.labels])
    expect(await eventIds({ removedLabels: ['l2'] })).toEqual([ids.label1])
    expect(await eventIds({ addedTags: ['x', 'y'] })).toEqual([ids.tagBoth])
    expect(await eventIds({ addedTags: ['x'] })).toEqual([ids.tagX, ids.tagBoth])
    expect(await eventIds({ removedTags: ['y'] })).toEqual([ids.untag])
  })

  test('reportTypes and comment keywords separated by ||', async () => {
    expect(await eventIds({ reportTypes: ['com.atproto.moderation.defs#reasonAppeal'] })).toEqual([ids.appeal])
    expect(await eventIds({ comment: 'alpha||beta' })).toEqual([ids.escalate, ids.takedown])
    expect(await eventIds({ comment: 'BETA' })).toEqual([ids.escalate])
  })

  test('a malformed cursor is a clear error', async () => {
    expect(await h.xrpc('tools.ozone.moderation.queryEvents', { auth: h.server.adminAuth, params: { cursor: 'x' } })).toEqual({
      status: 400,
      body: { error: 'InvalidRequest', message: 'Malformed cursor' },
    })
  })
})
