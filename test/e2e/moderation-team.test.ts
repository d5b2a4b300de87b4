// Who may do what on the bundled moderation service (team roles, non-members, the operator's password),
// bad input refused with clear errors and nothing changed, the team and scheduling methods, the read views.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
type Account = Awaited<ReturnType<ModHarness['signUp']>>
let alice: Account
let bob: Account
let tri: Account
let moddy: Account
let post: { uri: string; cid: string }

const bearer = (a: Account) => `Bearer ${a.agent.session!.accessJwt}`
const repoRef = (did: string) => ({ $type: 'com.atproto.admin.defs#repoRef', did })
const takedownOf = (did: string) => ({ event: { $type: 'tools.ozone.moderation.defs#modEventTakedown' }, subject: repoRef(did), createdBy: did })

beforeAll(async () => {
  h = await startModHarness()
  ;[alice, bob, tri, moddy] = await Promise.all(['alice', 'bob', 'tri', 'moddy'].map((n) => h.signUp(n)))
  post = await bob.agent.post({ text: 'hi', createdAt: new Date().toISOString() })
  await h.team.tools.ozone.team.addMember({ did: tri.did, role: 'tools.ozone.team.defs#roleTriage' })
  await h.team.tools.ozone.team.addMember({ did: moddy.did, role: 'tools.ozone.team.defs#roleModerator' })
})

afterAll(async () => {
  await h.close()
})

const eventCount = async () => (await h.xrpc('tools.ozone.moderation.queryEvents', { auth: h.server.adminAuth, params: { limit: '100' } })).body.events.length

describe('who may call', () => {
  test('a non-member (session or none) is refused on every method; nothing changes', async () => {
    const before = await eventCount()
    for (const auth of [undefined, bearer(alice)]) {
      expect(await h.xrpc('tools.ozone.moderation.queryStatuses', { auth })).toMatchObject({ status: 401 })
      expect(await h.xrpc('tools.ozone.team.listMembers', { auth })).toMatchObject({ status: 401 })
      const res = await h.xrpc('tools.ozone.moderation.emitEvent', { auth, body: takedownOf(bob.did) })
      expect(res.status).toBe(401)
    }
    expect((await h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(alice), body: takedownOf(bob.did) })).body).toEqual({ error: 'AuthenticationRequired', message: 'not a moderator account' })
    expect(await eventCount()).toBe(before)
  })

  test('triage reviews but cannot take down or label; a moderator can; the operator password acts as the team', async () => {
    expect((await h.xrpc('tools.ozone.moderation.queryStatuses', { auth: bearer(tri) })).status).toBe(200)
    const ack = await h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(tri), body: { event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, subject: repoRef(bob.did), createdBy: tri.did } })
    expect(ack).toMatchObject({ status: 200, body: { createdBy: tri.did } })
    const before = await eventCount()
    expect(await h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(tri), body: takedownOf(bob.did) })).toEqual({
      status: 401,
      body: { error: 'AuthenticationRequired', message: 'Must be a full moderator to take this type of action' },
    })
    const labelBody = { event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: ['spam'], negateLabelVals: [] }, subject: repoRef(bob.did), createdBy: tri.did }
    expect((await h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(tri), body: labelBody })).body.message).toBe('Must be a full moderator to label content')
    expect(await eventCount()).toBe(before)
    expect((await h.agent().com.atproto.repo.describeRepo({ repo: bob.did })).success).toBe(true)

    const byMod = await h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(moddy), body: { ...labelBody, createdBy: moddy.did } })
    expect(byMod).toMatchObject({ status: 200, body: { createdBy: moddy.did } })
    const byOperator = await h.xrpc('tools.ozone.moderation.queryStatuses', { auth: h.server.adminAuth, proxy: false })
    expect(byOperator.status).toBe(200)
  })

  test('team management is for admins; roles and errors as Ozone names them', async () => {
    const add = (auth: string, body: unknown) => h.xrpc('tools.ozone.team.addMember', { auth, body })
    expect((await add(bearer(moddy), { did: alice.did, role: 'tools.ozone.team.defs#roleTriage' })).body.message).toBe('Must be an admin to add a member')
    expect((await add(h.server.adminAuth, { did: tri.did, role: 'tools.ozone.team.defs#roleTriage' })).body.error).toBe('MemberAlreadyExists')
    expect((await add(h.server.adminAuth, { did: alice.did, role: 'tools.ozone.team.defs#roleChief' })).body).toEqual({ error: 'InvalidRequest', message: 'Unknown role: tools.ozone.team.defs#roleChief' })
    expect((await h.xrpc('tools.ozone.team.updateMember', { auth: h.server.adminAuth, body: { did: alice.did, disabled: true } })).body.error).toBe('MemberNotFound')
    const self = await h.team.tools.ozone.team.deleteMember({ did: h.teamDid }).catch((e) => e)
    expect(self.error).toBe('CannotDeleteSelf')
    const members = await h.team.tools.ozone.team.listMembers({})
    expect(members.data.members.map((m) => [m.did, m.role])).toContainEqual([tri.did, 'tools.ozone.team.defs#roleTriage'])
    expect(members.data.members.map((m) => m.did)).toContain(h.teamDid)
    // A disabled member is no longer on the team.
    await h.team.tools.ozone.team.updateMember({ did: tri.did, disabled: true })
    expect((await h.xrpc('tools.ozone.moderation.queryStatuses', { auth: bearer(tri) })).status).toBe(401)
    await h.team.tools.ozone.team.updateMember({ did: tri.did, disabled: false })
    const config = await h.viaTeam(tri.agent).tools.ozone.server.getConfig()
    expect(config.data).toMatchObject({ pds: { url: h.server.config.service.publicUrl }, viewer: { role: 'tools.ozone.team.defs#roleTriage' } })
  })
})

describe('bad input: clear errors, nothing changed', () => {
  const emit = (body: unknown) => h.xrpc('tools.ozone.moderation.emitEvent', { auth: h.server.adminAuth, body })
  test('unknown event types, missing or unknown subjects, already taken down', async () => {
    const before = await eventCount()
    expect(await emit({ event: { $type: 'tools.ozone.moderation.defs#modEventBanish' }, subject: repoRef(bob.did), createdBy: h.teamDid })).toEqual({
      status: 400,
      body: { error: 'InvalidRequest', message: 'Unsupported event type: tools.ozone.moderation.defs#modEventBanish' },
    })
    expect(await emit({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, createdBy: h.teamDid })).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
    expect(await emit({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, subject: repoRef('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'), createdBy: h.teamDid })).toMatchObject({
      status: 400,
      body: { error: 'RepoNotFound' },
    })
    const missingRecord = { $type: 'com.atproto.repo.strongRef', uri: `at://${bob.did}/app.bsky.feed.post/3zzzzzzzzzzzz`, cid: post.cid }
    expect(await emit({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' }, subject: missingRecord, createdBy: h.teamDid })).toMatchObject({ status: 400, body: { error: 'RecordNotFound' } })
    expect(await emit({ event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: ['a b'], negateLabelVals: [] }, subject: repoRef(bob.did), createdBy: h.teamDid })).toMatchObject({
      status: 400,
      body: { message: 'Invalid label: a b (contains disallowed character: " ")' },
    })
    expect(await emit({ event: { $type: 'tools.ozone.moderation.defs#modEventReverseTakedown' }, subject: repoRef(bob.did), createdBy: h.teamDid })).toMatchObject({
      status: 400,
      body: { message: 'Subject is not taken down' },
    })
    expect(await eventCount()).toBe(before)
  })

  test('malformed queries', async () => {
    const q = (nsid: string, params: Record<string, string>) => h.xrpc(nsid, { auth: h.server.adminAuth, params })
    expect(await q('tools.ozone.moderation.queryEvents', { cursor: 'abc' })).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Malformed cursor' } })
    expect(await q('tools.ozone.moderation.queryStatuses', { cursor: 'abc' })).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Malformed cursor' } })
    expect(await q('tools.ozone.moderation.queryEvents', { subject: 'not a subject' })).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
    expect(await q('tools.ozone.moderation.queryStatuses', { limit: '0' })).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
    expect(await q('tools.ozone.moderation.getEvent', { id: '999999' })).toMatchObject({ status: 400, body: { error: 'NotFound' } })
    expect(await q('tools.ozone.moderation.getRepo', { did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' })).toMatchObject({ status: 400, body: { error: 'RepoNotFound' } })
    expect(await q('tools.ozone.moderation.getRecord', { uri: `at://${bob.did}/app.bsky.feed.post/3zzzzzzzzzzzz` })).toMatchObject({ status: 400, body: { error: 'RecordNotFound' } })
  })
})

describe('views and scheduling', () => {
  test('getRepos, getRecords, getSubjects, getEvent, timeline, reporter stats, search', async () => {
    await alice.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonRude', subject: { $type: 'com.atproto.repo.strongRef', ...post } })
    const t = h.team.tools.ozone.moderation
    const repos = await t.getRepos({ dids: [bob.did, 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'] })
    expect(repos.data.repos.map((r) => r.$type)).toEqual(['tools.ozone.moderation.defs#repoViewDetail', 'tools.ozone.moderation.defs#repoViewNotFound'])
    expect(repos.data.repos[0]).toMatchObject({ did: bob.did, handle: 'bob.test', email: 'bob@example.com' })
    const records = await t.getRecords({ uris: [post.uri] })
    expect(records.data.records[0]).toMatchObject({ uri: post.uri, cid: post.cid, value: { text: 'hi' }, repo: { did: bob.did } })
    const subjects = await t.getSubjects({ subjects: [post.uri, bob.did] })
    expect(subjects.data.subjects.map((s) => [s.type, s.status?.reviewState])).toEqual([
      ['record', 'tools.ozone.moderation.defs#reviewOpen'],
      ['account', 'tools.ozone.moderation.defs#reviewClosed'],
    ])
    const reportEvent = (await t.queryEvents({ types: ['tools.ozone.moderation.defs#modEventReport'] })).data.events[0]!
    const detail = await t.getEvent({ id: reportEvent.id })
    expect(detail.data.subject).toMatchObject({ $type: 'tools.ozone.moderation.defs#recordView', uri: post.uri })
    const timeline = await t.getAccountTimeline({ did: bob.did })
    expect(timeline.data.timeline[0]!.summary.map((s) => s.eventType)).toContain('tools.ozone.moderation.defs#modEventReport')
    const stats = await t.getReporterStats({ dids: [alice.did] })
    expect(stats.data.stats[0]).toMatchObject({ did: alice.did, recordReportCount: 1, reportedRecordCount: 1 })
    const found = await t.searchRepos({ q: 'bo' })
    expect(found.data.repos.map((r) => r.handle)).toEqual(['bob.test'])
  })

  test('a scheduled takedown runs when due; a cancelled one does not', async () => {
    const t = h.team.tools.ozone.moderation
    const at = new Date(Date.now() + 3600_000).toISOString()
    const scheduled = await t.scheduleAction({ action: { $type: 'tools.ozone.moderation.scheduleAction#takedown', comment: 'later' }, subjects: [alice.did, tri.did], createdBy: h.teamDid, scheduling: { executeAt: at } })
    expect(scheduled.data).toEqual({ succeeded: [alice.did, tri.did], failed: [] })
    const cancelled = await t.cancelScheduledActions({ subjects: [tri.did, bob.did] })
    expect(cancelled.data).toEqual({ succeeded: [tri.did], failed: [{ did: bob.did, error: 'No pending scheduled actions', errorCode: 'NoPendingActions' }] })
    expect((await t.listScheduledActions({ statuses: ['pending'] })).data.actions.map((a) => a.did)).toEqual([alice.did])
    h.server.services.moderation.clockOffsetMs = 2 * 3600_000
    try {
      expect(await h.server.services.moderation.runDueActions()).toEqual({ reversed: 0, executed: 1 })
    } finally {
      h.server.services.moderation.clockOffsetMs = 0
    }
    const done = (await t.listScheduledActions({ statuses: ['executed', 'cancelled'] })).data.actions
    expect(done.map((a) => [a.did, a.status])).toEqual([
      [tri.did, 'cancelled'],
      [alice.did, 'executed'],
    ])
    expect((await t.getRepo({ did: alice.did })).data.moderation.subjectStatus?.takendown).toBe(true)
    const login = await h.agent().login({ identifier: 'alice.test', password: alice.password }).catch((e) => e)
    expect(login.error).toBe('AccountTakedown')
  })
})
