// Ozone's emitEvent beyond the basics, end to end with @atproto/api: credential revocation, age assurance,
// external IDs, protected tags, takedowns aimed at the AppView only, strikes, suspensions, divert, hosting
// events and acknowledgeAccountSubjects; each changes what it should, bad input changes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import sharp from 'sharp'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
type Account = Awaited<ReturnType<ModHarness['signUp']>>
let moddy: Account
let tri: Account
let bob: Account

const D = 'tools.ozone.moderation.defs#'
const repoRef = (did: string) => ({ $type: 'com.atproto.admin.defs#repoRef', did })
const strongRef = (r: { uri: string; cid: string }) => ({ $type: 'com.atproto.repo.strongRef', uri: r.uri, cid: r.cid })
const bearer = (a: Account) => `Bearer ${a.agent.session!.accessJwt}`
const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: { error?: string; message?: string; status?: number }) => ({ error: e.error, message: e.message, status: e.status }))

const emit = (event: Record<string, unknown>, subject: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  h.team.tools.ozone.moderation.emitEvent({ event: event as any, subject: subject as any, createdBy: h.teamDid, ...extra })
const status = async (subject: string) => (await h.team.tools.ozone.moderation.queryStatuses({ subject, includeMuted: true })).data.subjectStatuses[0]
const eventsOf = async (subject: string, types?: string[]) => (await h.team.tools.ozone.moderation.queryEvents({ subject, types, limit: 100 })).data.events
const refresh = (jwt: string) => fetch(`${h.server.url}/xrpc/com.atproto.server.refreshSession`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } })
const post = (a: Account, text: string) => a.agent.post({ text, createdAt: new Date().toISOString() })

beforeAll(async () => {
  h = await startModHarness()
  ;[moddy, tri, bob] = await Promise.all(['moddy', 'tri', 'bob'].map((n) => h.signUp(n)))
  await h.team.tools.ozone.team.addMember({ did: moddy.did, role: 'tools.ozone.team.defs#roleModerator' })
  await h.team.tools.ozone.team.addMember({ did: tri.did, role: 'tools.ozone.team.defs#roleTriage' })
})

afterAll(async () => {
  await h.close()
})

describe('revokeAccountCredentialsEvent', () => {
  test("ends the account's sessions and app passwords and its password; a password reset gives access back", async () => {
    const dave = await h.signUp('dave')
    const { password: appPassword } = (await dave.agent.com.atproto.server.createAppPassword({ name: 'phone' })).data
    const refreshJwt = dave.agent.session!.refreshJwt
    const res = await emit({ $type: `${D}revokeAccountCredentialsEvent`, comment: 'account compromised' }, repoRef(dave.did))
    expect(res.data).toMatchObject({ createdBy: h.teamDid, event: { $type: `${D}revokeAccountCredentialsEvent`, comment: 'account compromised' } })

    const refreshed = await refresh(refreshJwt)
    expect(refreshed.status).toBe(400)
    expect(((await refreshed.json()) as { error: string }).error).toBe('ExpiredToken')
    for (const password of [dave.password, appPassword]) {
      expect((await errorOf(new AtpAgent({ service: h.server.url }).login({ identifier: dave.handle, password })))?.status).toBe(401)
    }
    await h.agent().com.atproto.server.requestPasswordReset({ email: dave.email })
    const token = await h.smtp.tokenFor(dave.email)
    await h.agent().com.atproto.server.resetPassword({ token, password: 'dave-new-password' })
    const back = new AtpAgent({ service: h.server.url })
    await back.login({ identifier: dave.handle, password: 'dave-new-password' })
    expect((await back.com.atproto.server.listAppPasswords()).data.passwords).toEqual([])
    expect((await eventsOf(dave.did, [`${D}revokeAccountCredentialsEvent`])).length).toBe(1)
  })

  test('admins only, accounts only, a comment required, our own accounts only: refused and nothing revoked', async () => {
    const erin = await h.signUp('erin')
    const body = (createdBy: string, subject: unknown = repoRef(erin.did), event: Record<string, unknown> = { $type: `${D}revokeAccountCredentialsEvent`, comment: 'x' }) => ({ event, subject, createdBy })
    expect(await h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(moddy), body: body(moddy.did) })).toEqual({
      status: 401,
      body: { error: 'AuthenticationRequired', message: 'Must be an admin to revoke account credentials' },
    })
    const erinPost = await post(erin, 'hello')
    const onRecord = await h.xrpc('tools.ozone.moderation.emitEvent', { auth: h.server.adminAuth, body: body(h.teamDid, strongRef(erinPost)) })
    expect(onRecord).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Invalid subject type' } })
    const noComment = await h.xrpc('tools.ozone.moderation.emitEvent', { auth: h.server.adminAuth, body: body(h.teamDid, repoRef(erin.did), { $type: `${D}revokeAccountCredentialsEvent` }) })
    expect(noComment.status).toBe(400)
    const remote = await h.xrpc('tools.ozone.moderation.emitEvent', { auth: h.server.adminAuth, body: body(h.teamDid, repoRef('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa')) })
    expect(remote.status).toBe(400)
    // Erin's session still works.
    expect((await refresh(erin.agent.session!.refreshJwt)).status).toBe(200)
    expect(await eventsOf(erin.did)).toEqual([])
  })
})

describe('age assurance', () => {
  test("the user's flow, a moderator's override, a reset and a purge set the subject's ageAssuranceState", async () => {
    const fay = await h.signUp('fay')
    const flow = (status: string, attemptId: string) => ({ $type: `${D}ageAssuranceEvent`, status, attemptId, createdAt: new Date().toISOString(), countryCode: 'GB' })
    await emit(flow('pending', 'a1'), repoRef(fay.did))
    expect(await status(fay.did)).toMatchObject({ ageAssuranceState: 'pending', ageAssuranceUpdatedBy: 'user', reviewState: `${D}reviewNone` })
    await emit({ $type: `${D}ageAssuranceOverrideEvent`, status: 'blocked', comment: 'underage' }, repoRef(fay.did))
    expect(await status(fay.did)).toMatchObject({ ageAssuranceState: 'blocked', ageAssuranceUpdatedBy: 'admin' })
    // The user's flow does not undo a moderator's decision...
    await emit(flow('assured', 'a2'), repoRef(fay.did))
    expect(await status(fay.did)).toMatchObject({ ageAssuranceState: 'blocked', ageAssuranceUpdatedBy: 'admin' })
    // ...unless the moderator reset it.
    await emit({ $type: `${D}ageAssuranceOverrideEvent`, status: 'reset', comment: 'try again' }, repoRef(fay.did))
    await emit(flow('assured', 'a3'), repoRef(fay.did))
    expect(await status(fay.did)).toMatchObject({ ageAssuranceState: 'assured', ageAssuranceUpdatedBy: 'user' })

    const assured = await h.team.tools.ozone.moderation.queryStatuses({ ageAssuranceState: 'assured' })
    expect(assured.data.subjectStatuses.map((s) => (s.subject as { did: string }).did)).toEqual([fay.did])
    const blockedEvents = await h.team.tools.ozone.moderation.queryEvents({ ageAssuranceState: 'blocked' })
    expect(blockedEvents.data.events.map((e) => e.event.$type)).toEqual([`${D}ageAssuranceOverrideEvent`])

    await emit({ $type: `${D}ageAssurancePurgeEvent`, comment: 'user asked' }, repoRef(fay.did))
    const s = await status(fay.did)
    expect(s).toMatchObject({ ageAssuranceState: 'unknown' })
    expect(s!.ageAssuranceUpdatedBy).toBeUndefined()
    // The user's own reports are gone; the moderators' decisions and the purge stay.
    expect((await eventsOf(fay.did)).map((e) => e.event.$type)).toEqual([
      `${D}ageAssurancePurgeEvent`,
      `${D}ageAssuranceOverrideEvent`,
      `${D}ageAssuranceOverrideEvent`,
    ])
  })

  test('overrides and purges need a moderator; age assurance is for accounts only', async () => {
    const gus = await h.signUp('gus')
    const gusPost = await post(gus, 'hi')
    const asTri = (event: Record<string, unknown>) => h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(tri), body: { event, subject: repoRef(gus.did), createdBy: tri.did } })
    expect((await asTri({ $type: `${D}ageAssuranceOverrideEvent`, status: 'assured', comment: 'x' })).body).toEqual({
      error: 'AuthenticationRequired',
      message: 'Must be a full moderator to override age assurance',
    })
    expect(await asTri({ $type: `${D}ageAssurancePurgeEvent`, comment: 'x' })).toEqual({ status: 403, body: { error: 'Forbidden', message: 'Must be a moderator to purge age assurance events' } })
    const onRecord = await errorOf(emit({ $type: `${D}ageAssuranceEvent`, status: 'pending', attemptId: 'x', createdAt: new Date().toISOString() }, strongRef(gusPost)))
    expect(onRecord).toMatchObject({ error: 'InvalidRequest', message: 'Invalid subject type' })
    expect(await eventsOf(gus.did)).toEqual([])
  })
})

describe('externalId', () => {
  test('a second event of the same type with the same externalId on the subject is DuplicateExternalId', async () => {
    const comment = { $type: `${D}modEventComment`, comment: 'from the automod' }
    await emit(comment, repoRef(bob.did), { externalId: 'automod-1' })
    const dup = await errorOf(emit(comment, repoRef(bob.did), { externalId: 'automod-1' }))
    expect(dup).toMatchObject({ error: 'DuplicateExternalId', message: 'An event with the same external ID already exists for the subject.' })
    // Another type, or another subject, may reuse it.
    await emit({ $type: `${D}modEventAcknowledge` }, repoRef(bob.did), { externalId: 'automod-1' })
    await emit(comment, repoRef(moddy.did), { externalId: 'automod-1' })
    expect((await eventsOf(bob.did, [`${D}modEventComment`])).length).toBe(1)
  })
})

describe('protected tags', () => {
  test('the instance option limits who acts on a tagged subject and who may change the tag', async () => {
    const vip = await h.signUp('vip')
    await h.team.tools.ozone.setting.upsertOption({
      key: 'tools.ozone.setting.protectedTags',
      scope: 'instance',
      value: { vip: { roles: ['tools.ozone.team.defs#roleAdmin'] } },
      managerRole: 'tools.ozone.team.defs#roleAdmin',
    })
    const asModerator = (event: Record<string, unknown>) => h.xrpc('tools.ozone.moderation.emitEvent', { auth: bearer(moddy), body: { event, subject: repoRef(vip.did), createdBy: moddy.did } })
    expect((await asModerator({ $type: `${D}modEventTag`, add: ['vip'], remove: [] })).body).toEqual({ error: 'InvalidRequest', message: 'Can not manage tag vip with moderator role' })
    await emit({ $type: `${D}modEventTag`, add: ['vip'], remove: [] }, repoRef(vip.did))
    expect((await asModerator({ $type: `${D}modEventTakedown` })).body).toEqual({ error: 'InvalidRequest', message: 'Not allowed to action on protected tag: vip' })
    expect((await asModerator({ $type: `${D}modEventLabel`, createLabelVals: ['spam'], negateLabelVals: [] })).status).toBe(400)
    expect(await status(vip.did)).toMatchObject({ takendown: false, tags: ['vip'] })
    expect((await h.agent().com.atproto.label.queryLabels({ uriPatterns: [vip.did] })).data.labels).toEqual([])
    // Other tags are the moderator's to change; the admin may act.
    expect((await asModerator({ $type: `${D}modEventTag`, add: ['watch'], remove: [] })).status).toBe(200)
    await emit({ $type: `${D}modEventTakedown` }, repoRef(vip.did))
    expect(await status(vip.did)).toMatchObject({ takendown: true })
    await h.team.tools.ozone.setting.removeOptions({ keys: ['tools.ozone.setting.protectedTags'], scope: 'instance' })
  })
})

describe('takedowns', () => {
  test('targetServices: an AppView-only takedown labels the record but leaves it served here; a pds one takes it down', async () => {
    const hal = await h.signUp('hal')
    const [p1, p2] = [await post(hal, 'one'), await post(hal, 'two')]
    const read = (uri: string) => fetch(`${h.server.url}/xrpc/com.atproto.repo.getRecord?repo=${hal.did}&collection=app.bsky.feed.post&rkey=${uri.split('/').pop()}`)
    await emit({ $type: `${D}modEventTakedown`, targetServices: ['appview'] }, strongRef(p1))
    expect((await read(p1.uri)).status).toBe(200)
    expect(await status(p1.uri)).toMatchObject({ takendown: true })
    expect((await h.agent().com.atproto.label.queryLabels({ uriPatterns: [p1.uri] })).data.labels.map((l) => l.val)).toEqual(['!takedown'])
    await emit({ $type: `${D}modEventTakedown`, targetServices: ['pds'] }, strongRef(p2))
    expect((await read(p2.uri)).status).toBe(400)
  })

  test('a timed account takedown is labelled !suspend; its reversal negates that label', async () => {
    const ivy = await h.signUp('ivy')
    await emit({ $type: `${D}modEventTakedown`, durationInHours: 24 }, repoRef(ivy.did))
    const labels = async () => (await h.agent().com.atproto.label.queryLabels({ uriPatterns: [ivy.did] })).data.labels.map((l) => `${l.val}${l.neg ? ' (negated)' : ''}`)
    expect(await labels()).toEqual(['!suspend'])
    await emit({ $type: `${D}modEventReverseTakedown` }, repoRef(ivy.did))
    expect(await labels()).toEqual(['!suspend', '!suspend (negated)'])
    expect((await h.agent().com.atproto.repo.describeRepo({ repo: ivy.did })).success).toBe(true)
  })

  test('strikes: takedowns and emails assign them, expired ones stop counting, a reversal takes them back', async () => {
    const jo = await h.signUp('joan')
    const joPost = await post(jo, 'bad')
    const past = new Date(Date.now() - 3600_000).toISOString()
    await emit({ $type: `${D}modEventEmail`, subjectLine: 'Warning', content: 'Please stop.', strikeCount: 1, strikeExpiresAt: past, severityLevel: 'sev-1' }, repoRef(jo.did))
    await emit({ $type: `${D}modEventTakedown`, strikeCount: 2, severityLevel: 'sev-2', policies: ['spam'] }, strongRef(joPost))
    const s = await status(joPost.uri)
    expect(s!.accountStrike).toMatchObject({ activeStrikeCount: 2, totalStrikeCount: 3 })
    expect(Date.parse(s!.accountStrike!.lastStrikeAt!)).toBeGreaterThanOrEqual(Date.parse(s!.accountStrike!.firstStrikeAt!))
    const strong = await h.team.tools.ozone.moderation.queryStatuses({ minStrikeCount: 2 })
    expect(strong.data.subjectStatuses.map((x) => x.subject)).toContainEqual(expect.objectContaining({ uri: joPost.uri }))
    expect((await h.team.tools.ozone.moderation.queryStatuses({ minStrikeCount: 3 })).data.subjectStatuses).toEqual([])
    const withStrike = await h.team.tools.ozone.moderation.queryEvents({ withStrike: true, subject: jo.did, includeAllUserRecords: true })
    expect(withStrike.data.events.map((e) => e.event.$type)).toEqual([`${D}modEventTakedown`, `${D}modEventEmail`])

    await emit({ $type: `${D}modEventReverseTakedown`, strikeCount: -2, comment: 'appeal granted' }, strongRef(joPost))
    expect((await status(joPost.uri))!.accountStrike).toMatchObject({ activeStrikeCount: 0, totalStrikeCount: 1 })
  })

  test('acknowledgeAccountSubjects: the account takedown closes the open reports on its records', async () => {
    const kim = await h.signUp('kim')
    const reporter = await h.signUp('reporter1')
    const posts = [await post(kim, 'a'), await post(kim, 'b')]
    for (const p of posts) await reporter.agent.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonSpam', subject: strongRef(p) })
    expect((await status(posts[0]!.uri))!.reviewState).toBe(`${D}reviewOpen`)
    const takedown = await emit({ $type: `${D}modEventTakedown`, acknowledgeAccountSubjects: true, comment: 'spam account' }, repoRef(kim.did))
    for (const p of posts) {
      expect((await status(p.uri))!.reviewState).toBe(`${D}reviewClosed`)
      const [ack] = await eventsOf(p.uri, [`${D}modEventAcknowledge`])
      expect((ack!.event as { comment: string }).comment).toContain(`Account Event ID: ${takedown.data.id} | Account Event Comment: spam account`)
    }
  })
})

describe('divert', () => {
  test("takes the record and its blobs down as a second event; getRecord shows each blob's details and status", async () => {
    const lou = await h.signUp('lou')
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#cc3366' } }).png().toBuffer()
    const blob = (await lou.agent.uploadBlob(new Uint8Array(png), { encoding: 'image/png' })).data.blob
    const cid = blob.ref.toString()
    const p = await lou.agent.post({ text: 'pic', createdAt: new Date().toISOString(), embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: 'a picture' }] } })
    const before = await h.team.tools.ozone.moderation.getRecord({ uri: p.uri })
    expect(before.data.blobs).toEqual([{ cid, mimeType: 'image/png', size: png.length, createdAt: expect.any(String), details: { $type: `${D}imageDetails`, width: 40, height: 30 }, moderation: {} }])

    await emit({ $type: `${D}modEventDivert`, comment: 'for review' }, strongRef(p), { subjectBlobCids: [cid] })
    expect((await eventsOf(p.uri)).map((e) => [e.event.$type, (e.event as { comment?: string }).comment])).toEqual([
      [`${D}modEventTakedown`, '[DIVERT_SIDE_EFFECT]: Automatically taking down after divert event'],
      [`${D}modEventDivert`, 'for review'],
    ])
    const blobRes = await fetch(`${h.server.url}/xrpc/com.atproto.sync.getBlob?did=${lou.did}&cid=${cid}`)
    expect(blobRes.status).not.toBe(200)
    const after = await h.team.tools.ozone.moderation.getRecord({ uri: p.uri })
    expect(after.data.blobs[0]!.moderation?.subjectStatus).toMatchObject({ takendown: true, subjectBlobCids: [cid] })
    const many = await h.team.tools.ozone.moderation.getRecords({ uris: [p.uri] })
    expect((many.data.records[0] as { blobs: unknown[] }).blobs).toHaveLength(1)
    const divertEvent = (await eventsOf(p.uri, [`${D}modEventDivert`]))[0]!
    const detail = await h.team.tools.ozone.moderation.getEvent({ id: divertEvent.id })
    expect(detail.data.subjectBlobs.map((b) => b.cid)).toEqual([cid])
  })
})

describe('hosting events', () => {
  test('record and account events set the hosting fields that queryStatuses filters on', async () => {
    const max = await h.signUp('max')
    const p = await post(max, 'soon gone')
    const deletedAt = '2026-01-02T03:04:05.000Z'
    // A host reports a record it no longer has.
    await max.agent.deletePost(p.uri)
    await emit({ $type: `${D}recordEvent`, op: 'delete', timestamp: deletedAt }, strongRef(p))
    expect((await status(p.uri))!.hosting).toEqual({ $type: `${D}recordHosting`, status: 'deleted', deletedAt })
    // Hosting events do not open a review.
    expect((await status(p.uri))!.reviewState).toBe(`${D}reviewNone`)
    const byStatus = await h.team.tools.ozone.moderation.queryStatuses({ hostingStatuses: ['deleted'] })
    expect(byStatus.data.subjectStatuses.map((s) => (s.subject as { uri: string }).uri)).toEqual([p.uri])
    expect((await h.team.tools.ozone.moderation.queryStatuses({ hostingDeletedAfter: '2026-01-01T00:00:00Z' })).data.subjectStatuses).toHaveLength(1)
    expect((await h.team.tools.ozone.moderation.queryStatuses({ hostingDeletedBefore: '2026-01-01T00:00:00Z' })).data.subjectStatuses).toEqual([])
    await emit({ $type: `${D}accountEvent`, active: false, status: 'deactivated', timestamp: deletedAt }, repoRef(max.did))
    await emit({ $type: `${D}identityEvent`, handle: 'max.test', timestamp: deletedAt }, repoRef(max.did))
    const types = (await eventsOf(max.did)).map((e) => e.event.$type)
    expect(types).toEqual([`${D}identityEvent`, `${D}accountEvent`])
  })
})

describe("our own accounts' hosting", () => {
  test('deactivation, reactivation and record deletion here set the hosting fields of moderated subjects', async () => {
    const ned = await h.signUp('ned')
    const p = await post(ned, 'reported then deleted')
    const untracked = await post(ned, 'never reported')
    await emit({ $type: `${D}modEventComment`, comment: 'watch' }, repoRef(ned.did))
    await emit({ $type: `${D}modEventComment`, comment: 'watch' }, strongRef(p))
    const hostingOf = async (subject: string) => (await status(subject))?.hosting as { status: string; deletedAt?: string } | undefined
    const shows = async (statusName: string) => (await h.team.tools.ozone.moderation.queryStatuses({ subject: ned.did, includeAllUserRecords: true, hostingStatuses: [statusName] })).data.subjectStatuses.map((s) => (s.subject as { uri?: string; did?: string }).uri ?? (s.subject as { did: string }).did)
    const eventsBefore = (await eventsOf(ned.did)).length

    await ned.agent.com.atproto.server.deactivateAccount({})
    for (let i = 0; i < 50 && !(await shows('deactivated')).includes(ned.did); i++) await Bun.sleep(10)
    expect(await shows('deactivated')).toContain(ned.did)
    expect(await hostingOf(ned.did)).toMatchObject({ status: 'deactivated' })
    await ned.agent.com.atproto.server.activateAccount()
    for (let i = 0; i < 50 && !(await shows('active')).includes(ned.did); i++) await Bun.sleep(10)
    expect(await shows('active')).toContain(ned.did)
    expect(await shows('deactivated')).not.toContain(ned.did)

    await ned.agent.deletePost(p.uri)
    await ned.agent.deletePost(untracked.uri)
    for (let i = 0; i < 50 && !(await shows('deleted')).includes(p.uri); i++) await Bun.sleep(10)
    expect(await shows('deleted')).toEqual([p.uri])
    expect(await hostingOf(p.uri)).toMatchObject({ status: 'deleted', deletedAt: expect.any(String) })
    expect(await status(untracked.uri)).toBeUndefined()
    // The subject's history stays the moderators'.
    expect((await eventsOf(ned.did)).length).toBe(eventsBefore)
  })
})

describe('bad input', () => {
  test('unknown event types and malformed events are refused; nothing is logged', async () => {
    const count = async () => (await eventsOf(bob.did)).length
    const before = await count()
    expect(await errorOf(emit({ $type: `${D}modEventNope` }, repoRef(bob.did)))).toMatchObject({ error: 'InvalidRequest', message: `Unsupported event type: ${D}modEventNope` })
    expect((await errorOf(emit({ $type: `${D}ageAssuranceOverrideEvent`, comment: 'no status' }, repoRef(bob.did))))?.error).toBe('InvalidRequest')
    expect(await count()).toBe(before)
  })
})
