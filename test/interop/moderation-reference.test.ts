// Issue 20 against a strict peer: the reference PDS (@atproto/pds under Node 22) forwards its users' calls to
// our bundled moderation service as it forwards them to Ozone. It resolves the team DID from the shared PLC
// directory, finds the #atproto_labeler service (this server), signs a service JWT for the team and pipes
// the call through; we answer as Ozone does. Reporters and moderators whose accounts live on the reference,
// labels on the reference's records verified against the key in the PLC directory, and bad input.
// The reference reaches our http://localhost:<port> labeler endpoint as a development deployment does:
// PDS_DEV_MODE turns off its SSRF protection (proxy agent: https only, unicast addresses; safeFetch), while
// safeFetch still refuses IP-literal hosts, so both servers are named `localhost` (test/helpers/reference-pds.ts).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { createAccount, PNG_1x1, startPeers, xrpc, type Account, type Peers } from './peers.ts'
import { labelKeyFromPlc, verifiesWith } from '../e2e/moderation-harness.ts'
import { startReferencePds } from '../helpers/reference-pds.ts'

const SPAM = 'com.atproto.moderation.defs#reasonSpam'
const MISLEADING = 'com.atproto.moderation.defs#reasonMisleading'
const APPEAL = 'com.atproto.moderation.defs#reasonAppeal'
const OPEN = 'tools.ozone.moderation.defs#reviewOpen'

let p: Peers
let teamDid: `did:${string}:${string}`
let team: AtpAgent // the lead, on our server, calling the service directly
let bob: Account // ours
let bobPost: { uri: string; cid: string }
let rita: Account // a reporter on the reference
let ritaPost: { uri: string; cid: string }
let mia: Account // a moderator on the reference
let nick: Account // not a member, on the reference

const viaTeam = (a: Account) => a.agent.withProxy('atproto_labeler', teamDid) as AtpAgent
const fails = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal') }, (e) => e as { status: number; error: string; message: string })
/** Every moderation event the service holds, oldest first (what "nothing stored" is checked against). */
const allEvents = async () => (await team.tools.ozone.moderation.queryEvents({ sortDirection: 'asc', limit: 100 })).data.events

beforeAll(async () => {
  p = await startPeers({ oursEnv: { PDS_MOD_TEAM_HANDLE: 'mod.test' } })
  const [ours, reference] = p.peers as [Peers['peers'][0], Peers['peers'][0]]
  // The team lead: the account PDS_MOD_TEAM_HANDLE names, set up as `pds moderation enable` does.
  const lead = new AtpAgent({ service: ours.url })
  await lead.createAccount({ handle: 'mod.test', email: 'mod@example.com', password: 'mod-password' })
  const res = await fetch(`${ours.url}/_admin/moderation/enable`, {
    method: 'POST',
    headers: { authorization: ours.adminAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ account: 'mod.test' }),
  })
  if (!res.ok) throw new Error(`enable failed: ${res.status} ${await res.text()}`)
  teamDid = ((await res.json()) as { did: `did:${string}:${string}` }).did
  team = lead.withProxy('atproto_labeler', teamDid) as AtpAgent
  bob = await createAccount(ours, 'bob')
  bobPost = await bob.agent.post({ text: 'a post on ours', createdAt: new Date().toISOString() })
  rita = await createAccount(reference, 'rita')
  ritaPost = await rita.agent.post({ text: 'a post on the reference', createdAt: new Date().toISOString() })
  mia = await createAccount(reference, 'mia')
  nick = await createAccount(reference, 'nick')
}, 120_000)

afterAll(async () => {
  await p?.close()
})

test('a reference user reports a post and an account of ours through their PDS; the team sees it, by them', async () => {
  const post = await viaTeam(rita).com.atproto.moderation.createReport({
    reasonType: MISLEADING,
    reason: 'from the reference',
    subject: { $type: 'com.atproto.repo.strongRef', uri: bobPost.uri, cid: bobPost.cid },
    modTool: { name: 'reference-client', meta: { build: 7 } },
  })
  const account = await viaTeam(rita).com.atproto.moderation.createReport({
    reasonType: SPAM,
    subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did },
  })
  expect(post.data).toMatchObject({ reasonType: MISLEADING, reason: 'from the reference', reportedBy: rita.did, subject: { uri: bobPost.uri, cid: bobPost.cid } })
  expect(account.data).toMatchObject({ reasonType: SPAM, reportedBy: rita.did, subject: { did: bob.did } })
  // The reference passes our answer through unchanged: the same shape our own users get from us.
  const direct = await bob.agent.withProxy('atproto_labeler', teamDid).com.atproto.moderation.createReport({
    reasonType: SPAM,
    subject: { $type: 'com.atproto.admin.defs#repoRef', did: rita.did },
  })
  expect(Object.keys(account.data).sort()).toEqual(Object.keys(direct.data).sort())
  expect(Object.keys(post.data).sort()).toEqual([...Object.keys(direct.data), 'reason'].sort())

  const statuses = (await team.tools.ozone.moderation.queryStatuses({ subject: bobPost.uri })).data.subjectStatuses
  expect(statuses.map((s) => [(s.subject as { uri: string }).uri, s.reviewState])).toEqual([[bobPost.uri, 'tools.ozone.moderation.defs#reviewOpen']])
  const reports = (await team.tools.ozone.report.queryReports({ status: 'open', subject: bobPost.uri })).data.reports
  expect(reports.map((r) => [r.eventId, r.reportedBy, r.reportType, r.comment])).toEqual([[post.data.id, rita.did, MISLEADING, 'from the reference']])
  const onPost = (await team.tools.ozone.moderation.queryEvents({ subject: bobPost.uri })).data.events
  expect(onPost.map((e) => [e.id, e.createdBy, e.creatorHandle, e.modTool])).toEqual([[post.data.id, rita.did, rita.handle, { name: 'reference-client', meta: { build: 7 } }]])
  const onAccount = (await team.tools.ozone.moderation.queryEvents({ subject: bob.did, types: ['tools.ozone.moderation.defs#modEventReport'] })).data.events
  expect(onAccount.map((e) => [e.id, e.createdBy])).toEqual([[account.data.id, rita.did]])
})

test('a team member whose account lives on the reference moderates through it; a non-member is refused', async () => {
  // The refusal is ours, passed through unchanged: the same answer as to nick's own service JWT sent to us.
  const refused = await fails(viaTeam(nick).tools.ozone.moderation.queryStatuses({}))
  expect([refused.status, refused.error, refused.message]).toEqual([401, 'AuthenticationRequired', 'not a moderator account'])
  const { token } = (await nick.agent.com.atproto.server.getServiceAuth({ aud: teamDid, lxm: 'tools.ozone.moderation.queryStatuses' })).data
  const direct = await xrpc(p.ours.url, 'tools.ozone.moderation.queryStatuses', { auth: `Bearer ${token}` })
  expect([direct.status, direct.json]).toEqual([401, { error: refused.error, message: refused.message }])
  const notYet = await fails(viaTeam(mia).tools.ozone.moderation.queryStatuses({}))
  expect([notYet.status, notYet.error]).toEqual([401, 'AuthenticationRequired'])

  await team.tools.ozone.team.addMember({ did: mia.did, role: 'tools.ozone.team.defs#roleModerator' })
  const open = (await viaTeam(mia).tools.ozone.moderation.queryStatuses({ reviewState: 'tools.ozone.moderation.defs#reviewOpen' })).data.subjectStatuses
  expect(open.map((s) => (s.subject as { uri?: string }).uri ?? (s.subject as { did: string }).did).sort()).toEqual([bobPost.uri, bob.did, rita.did].sort())
  // What the Ozone web app asks first and on a subject page, through the member's own PDS.
  expect((await viaTeam(mia).tools.ozone.server.getConfig()).data).toMatchObject({ pds: { url: p.ours.config.service.publicUrl }, viewer: { role: 'tools.ozone.team.defs#roleModerator' } })
  const repo = (await viaTeam(mia).tools.ozone.moderation.getRepo({ did: bob.did })).data
  expect(repo).toMatchObject({ did: bob.did, handle: bob.handle, email: bob.email, moderation: { subjectStatus: { subject: { did: bob.did } } } })
  const record = (await viaTeam(mia).tools.ozone.moderation.getRecord({ uri: bobPost.uri })).data
  expect(record).toMatchObject({ uri: bobPost.uri, cid: bobPost.cid, value: { text: 'a post on ours' }, repo: { did: bob.did } })
  expect((await viaTeam(mia).tools.ozone.moderation.getRepo({ did: rita.did })).data).toMatchObject({ did: rita.did, handle: rita.handle })
  const ack = await viaTeam(mia).tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge', comment: 'looked at it' },
    subject: { $type: 'com.atproto.repo.strongRef', uri: bobPost.uri, cid: bobPost.cid },
    createdBy: mia.did,
  })
  expect(ack.data).toMatchObject({ createdBy: mia.did, subject: { uri: bobPost.uri }, event: { comment: 'looked at it' } })
  const after = (await team.tools.ozone.moderation.queryStatuses({ subject: bobPost.uri })).data.subjectStatuses
  expect(after.map((s) => [s.reviewState, s.lastReviewedBy])).toEqual([['tools.ozone.moderation.defs#reviewClosed', mia.did]])
  // A label on the reference user's post, and a takedown of the reference user: subjects elsewhere, so labels only.
  const label = await viaTeam(mia).tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: ['spam'], negateLabelVals: [] },
    subject: { $type: 'com.atproto.repo.strongRef', uri: ritaPost.uri, cid: ritaPost.cid },
    createdBy: mia.did,
  })
  expect(label.data).toMatchObject({ createdBy: mia.did, subject: { uri: ritaPost.uri, cid: ritaPost.cid } })
  const takedown = await viaTeam(mia).tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventTakedown', comment: 'elsewhere' },
    subject: { $type: 'com.atproto.admin.defs#repoRef', did: rita.did },
    createdBy: mia.did,
  })
  expect(takedown.data).toMatchObject({ createdBy: mia.did, subject: { did: rita.did } })
  expect((await rita.agent.com.atproto.server.getSession()).data.did).toBe(rita.did) // the reference still serves her
  // The non-member is still refused, and nothing they asked for was done.
  const again = await fails(viaTeam(nick).tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventTakedown' },
    subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did },
    createdBy: nick.did,
  }))
  expect([again.status, again.error]).toEqual([401, 'AuthenticationRequired'])
  expect((await bob.agent.com.atproto.server.getSession()).data.did).toBe(bob.did)
  const events = (await team.tools.ozone.moderation.queryEvents({ subject: bob.did })).data.events
  expect(events.map((e) => e.createdBy)).not.toContain(nick.did)
})

test("labels on a reference user's post and account are served by queryLabels and verify against the key in the PLC directory", async () => {
  const query = async (uriPatterns: string[]) => (await new AtpAgent({ service: p.ours.url }).com.atproto.label.queryLabels({ uriPatterns })).data.labels
  const onPost = await query([ritaPost.uri])
  expect(onPost.map((l) => [l.src, l.uri, l.cid, l.val, l.neg ?? false])).toEqual([[teamDid, ritaPost.uri, ritaPost.cid, 'spam', false]])
  const onAccount = await query([rita.did])
  expect(onAccount.map((l) => [l.src, l.uri, l.val])).toEqual([[teamDid, rita.did, '!takedown']])
  // The same labels, asked of the labeler through the reference (as an AppView-less client would).
  const viaReference = (await viaTeam(rita).com.atproto.label.queryLabels({ uriPatterns: [ritaPost.uri, rita.did] })).data.labels
  expect(viaReference).toEqual([...onPost, ...onAccount])
  const key = await labelKeyFromPlc(p.plc.url, teamDid)
  for (const l of [...onPost, ...onAccount]) expect(await verifiesWith(l, key)).toBe(true)
  expect(await verifiesWith({ ...onPost[0]!, val: 'porn' }, key)).toBe(false)
})

test("Ozone's reporter rules hold across servers: a reporter the team took down may only appeal, their own account, once", async () => {
  const ritaRef = { $type: 'com.atproto.admin.defs#repoRef', did: rita.did }
  const spam = await fails(viaTeam(rita).com.atproto.moderation.createReport({ reasonType: SPAM, subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did } }))
  expect([spam.status, spam.error, spam.message]).toEqual([403, 'AccountTakedown', 'Report not accepted from takendown account'])
  const notTheirs = await fails(viaTeam(nick).com.atproto.moderation.createReport({ reasonType: APPEAL, subject: ritaRef }))
  expect([notTheirs.status, notTheirs.error, notTheirs.message]).toEqual([403, 'Forbidden', 'You cannot appeal this report'])
  const appealedNow = async () => (await team.tools.ozone.moderation.queryStatuses({ subject: rita.did })).data.subjectStatuses.map((s) => [s.takendown, s.appealed ?? false])
  expect(await appealedNow()).toEqual([[true, false]])

  const appeal = await viaTeam(rita).com.atproto.moderation.createReport({ reasonType: APPEAL, reason: 'that was satire', subject: ritaRef })
  expect(appeal.data).toMatchObject({ reasonType: APPEAL, reason: 'that was satire', reportedBy: rita.did, subject: { did: rita.did } })
  expect(await appealedNow()).toEqual([[true, true]])
  const twice = await fails(viaTeam(rita).com.atproto.moderation.createReport({ reasonType: APPEAL, subject: ritaRef }))
  expect([twice.status, twice.error, twice.message]).toEqual([403, 'AlreadyAppealed', 'Awaiting decision on previous appeal'])
  // The refusals stored nothing; a decision (by the member on the reference) opens the way to a new appeal.
  const appeals = (await team.tools.ozone.moderation.queryEvents({ subject: rita.did, types: ['tools.ozone.moderation.defs#modEventReport'] })).data.events
  expect(appeals.filter((e) => e.createdBy !== bob.did).map((e) => [e.id, e.createdBy])).toEqual([[appeal.data.id, rita.did]]) // bob's is from the first test
  await viaTeam(mia).tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventResolveAppeal', comment: 'upheld' }, subject: ritaRef, createdBy: mia.did })
  expect(await appealedNow()).toEqual([[true, false]])
  expect((await viaTeam(rita).com.atproto.moderation.createReport({ reasonType: APPEAL, subject: ritaRef })).data.reportedBy).toBe(rita.did)
})

test('bad input through the reference: clear XRPC errors, nothing stored', async () => {
  const stored = await allEvents()
  const report = (subject: unknown) => fails(viaTeam(nick).com.atproto.moderation.createReport({ reasonType: SPAM, subject: subject as never }))
  const nobody = await report({ $type: 'com.atproto.admin.defs#repoRef', did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' })
  expect([nobody.status, nobody.error, nobody.message]).toEqual([400, 'RepoNotFound', 'Subject not found: the DID does not resolve'])
  const noRecord = await report({ $type: 'com.atproto.repo.strongRef', uri: `at://${bob.did}/app.bsky.feed.post/3zzzzzzzzzzzz`, cid: bobPost.cid })
  expect([noRecord.status, noRecord.error, noRecord.message]).toEqual([400, 'RecordNotFound', 'Subject not found: no such record'])
  // An open union: the reference forwards an unknown subject type, and we name the problem.
  const unknown = await report({ $type: 'com.example.unknown#thing', name: 'x' })
  expect([unknown.status, unknown.error, unknown.message]).toEqual([400, 'InvalidRequest', 'Invalid subject'])
  // A report without its reason type: the reference's own lexicon check refuses it before forwarding.
  const malformed = await fetch(`${p.reference.url}/xrpc/com.atproto.moderation.createReport`, {
    method: 'POST',
    headers: { authorization: `Bearer ${nick.agent.session!.accessJwt}`, 'atproto-proxy': `${teamDid}#atproto_labeler`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did } }),
  }).then(async (r) => ({ status: r.status, ...((await r.json()) as { error: string; message: string }) }))
  expect(malformed).toEqual({ status: 400, error: 'InvalidRequest', message: 'Missing required key "reasonType" at $' })
  const badEvent = await fails(viaTeam(mia).tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventNope' },
    subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did },
    createdBy: mia.did,
  }))
  expect([badEvent.status, badEvent.error, badEvent.message]).toEqual([400, 'InvalidRequest', 'Unsupported event type: tools.ozone.moderation.defs#modEventNope'])
  expect(await allEvents()).toEqual(stored)
  expect((await team.tools.ozone.report.queryReports({ status: 'open', subject: bob.did })).data.reports.map((r) => r.reportedBy)).toEqual([rita.did])
})

test('a reference PDS whose operator made the team its report and moderation service sends there without the header', async () => {
  const service = { url: p.ours.config.service.publicUrl, did: teamDid }
  const wired = await startReferencePds({
    plcUrl: p.plc.url,
    env: { PDS_REPORT_SERVICE_URL: service.url, PDS_REPORT_SERVICE_DID: service.did, PDS_MOD_SERVICE_URL: service.url, PDS_MOD_SERVICE_DID: service.did },
  })
  try {
    const peer = { name: 'reference' as const, url: wired.url, did: wired.did, adminAuth: wired.adminAuth }
    const [ola, max] = [await createAccount(peer, 'ola'), await createAccount(peer, 'max')]
    const report = await ola.agent.com.atproto.moderation.createReport({ reasonType: SPAM, reason: 'no header', subject: { $type: 'com.atproto.repo.strongRef', uri: bobPost.uri, cid: bobPost.cid } })
    expect(report.data).toMatchObject({ reportedBy: ola.did, reason: 'no header', subject: { uri: bobPost.uri } })
    const reports = (await team.tools.ozone.report.queryReports({ status: 'open', subject: bobPost.uri })).data.reports
    expect(reports.filter((r) => r.reportedBy === ola.did).map((r) => [r.eventId, r.comment])).toEqual([[report.data.id, 'no header']])
    // tools.ozone.* go to the same service by default: refused until the lead adds the member, then served.
    const refused = await fails(max.agent.tools.ozone.moderation.queryStatuses({}))
    expect([refused.status, refused.error, refused.message]).toEqual([401, 'AuthenticationRequired', 'not a moderator account'])
    await team.tools.ozone.team.addMember({ did: max.did, role: 'tools.ozone.team.defs#roleTriage' })
    const open = (await max.agent.tools.ozone.moderation.queryStatuses({ subject: bobPost.uri })).data.subjectStatuses
    expect(open.map((s) => [(s.subject as { uri: string }).uri, s.reviewState])).toEqual([[bobPost.uri, 'tools.ozone.moderation.defs#reviewOpen']])
    // Their role is ours to enforce: a triage member cannot take down.
    const takedown = await fails(max.agent.tools.ozone.moderation.emitEvent({
      event: { $type: 'tools.ozone.moderation.defs#modEventTakedown' },
      subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did },
      createdBy: max.did,
    }))
    expect([takedown.status, takedown.error, takedown.message]).toEqual([401, 'AuthenticationRequired', 'Must be a full moderator to take this type of action'])
    const takedowns = (await team.tools.ozone.moderation.queryEvents({ subject: bob.did, types: ['tools.ozone.moderation.defs#modEventTakedown'] })).data.events
    expect(takedowns).toEqual([])
    expect((await bob.agent.com.atproto.server.getSession()).data.did).toBe(bob.did)
  } finally {
    await wired.stop()
  }
}, 120_000)

test("a post on the reference, reported by one of our users: the team reads its content and its author from the reference", async () => {
  const reference = p.peers[1]!
  const ivy = await createAccount(reference, 'ivy')
  await ivy.agent.upsertProfile(() => ({ displayName: 'Ivy over there' }))
  const image = (await ivy.agent.uploadBlob(PNG_1x1, { encoding: 'image/png' })).data.blob
  const text = 'remote <b>words</b> & more'
  const post = await ivy.agent.post({ text, createdAt: new Date().toISOString(), embed: { $type: 'app.bsky.embed.images', images: [{ image, alt: 'a dot' }] } })
  const gone = await ivy.agent.post({ text: 'soon deleted', createdAt: new Date().toISOString() })
  for (const subject of [post, gone]) {
    await bob.agent.withProxy('atproto_labeler', teamDid).com.atproto.moderation.createReport({ reasonType: SPAM, subject: { $type: 'com.atproto.repo.strongRef', ...subject } })
  }
  await ivy.agent.deletePost(gone.uri)

  const record = (await team.tools.ozone.moderation.getRecord({ uri: post.uri })).data
  expect(record).toMatchObject({
    uri: post.uri,
    cid: post.cid,
    value: { $type: 'app.bsky.feed.post', text, embed: { images: [{ alt: 'a dot' }] } },
    // Blob details are what the ref says: the blob itself stays on the reference.
    blobs: [{ cid: image.ref.toString(), mimeType: 'image/png', size: PNG_1x1.byteLength, moderation: {} }],
    labels: [],
    moderation: { subjectStatus: { subject: { uri: post.uri }, reviewState: OPEN } },
    repo: { did: ivy.did, handle: ivy.handle, relatedRecords: [{ $type: 'app.bsky.actor.profile', displayName: 'Ivy over there' }] },
  })
  // The lexicon's fields only, the same as for a record of ours; no email for an account hosted elsewhere.
  const local = (await team.tools.ozone.moderation.getRecord({ uri: bobPost.uri })).data
  expect(Object.keys(record).sort()).toEqual(Object.keys(local).sort())
  expect(record.repo).not.toHaveProperty('email')
  // A record the reference no longer has is not found, as Ozone's AppView would say.
  const deleted = await fails(team.tools.ozone.moderation.getRecord({ uri: gone.uri }))
  expect([deleted.status, deleted.error]).toEqual([400, 'RecordNotFound'])
  const records = (await team.tools.ozone.moderation.getRecords({ uris: [post.uri, gone.uri] })).data.records
  expect(records.map((r) => [r.$type, (r as { uri?: string }).uri, (r as { value?: { text?: string } }).value?.text])).toEqual([
    ['tools.ozone.moderation.defs#recordViewDetail', post.uri, text],
    ['tools.ozone.moderation.defs#recordViewNotFound', gone.uri, undefined],
  ])
  // An older version (another cid) is not served: the reference has only the current one.
  const stale = await fails(team.tools.ozone.moderation.getRecord({ uri: post.uri, cid: bobPost.cid }))
  expect([stale.status, stale.error]).toEqual([400, 'RecordNotFound'])

  const repo = (await team.tools.ozone.moderation.getRepo({ did: ivy.did })).data
  expect(repo).toMatchObject({ did: ivy.did, handle: ivy.handle, relatedRecords: [{ $type: 'app.bsky.actor.profile', displayName: 'Ivy over there' }], labels: [] })
  expect(repo).not.toHaveProperty('email')
  const repos = (await team.tools.ozone.moderation.getRepos({ dids: [ivy.did, 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'] })).data.repos
  expect(repos.map((r) => [r.$type, (r as { did?: string }).did, (r as { handle?: string }).handle])).toEqual([
    ['tools.ozone.moderation.defs#repoViewDetail', ivy.did, ivy.handle],
    ['tools.ozone.moderation.defs#repoViewNotFound', 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', undefined],
  ])
  // A member on the reference gets the same, through it.
  // (An account we hold no status for is "indexed" when asked, as before.)
  const throughReference = (await viaTeam(mia).tools.ozone.moderation.getRecord({ uri: post.uri })).data
  expect({ ...throughReference, repo: { ...throughReference.repo, indexedAt: '' } }).toEqual({ ...record, repo: { ...record.repo, indexedAt: '' } })
})

test('a post on a reference PDS that stopped answering: not found, and its account as its DID document says', async () => {
  const gone = await startReferencePds({ plcUrl: p.plc.url })
  const peer = { name: 'reference' as const, url: gone.url, did: gone.did, adminAuth: gone.adminAuth }
  const zed = await createAccount(peer, 'zed')
  await zed.agent.upsertProfile(() => ({ displayName: 'Zed' }))
  const post = await zed.agent.post({ text: 'from a server about to stop', createdAt: new Date().toISOString() })
  await bob.agent.withProxy('atproto_labeler', teamDid).com.atproto.moderation.createReport({ reasonType: SPAM, subject: { $type: 'com.atproto.repo.strongRef', ...post } })
  await gone.stop()
  const started = Date.now()
  const missing = await fails(team.tools.ozone.moderation.getRecord({ uri: post.uri }))
  expect([missing.status, missing.error]).toEqual([400, 'RecordNotFound'])
  const repo = (await team.tools.ozone.moderation.getRepo({ did: zed.did })).data
  expect(repo).toMatchObject({ did: zed.did, handle: zed.handle, relatedRecords: [] })
  expect(Date.now() - started).toBeLessThan(10_000)
  // The report itself is still there to act on.
  const statuses = (await team.tools.ozone.moderation.queryStatuses({ subject: post.uri })).data.subjectStatuses
  expect(statuses.map((s) => s.reviewState)).toEqual([OPEN])
}, 120_000)
