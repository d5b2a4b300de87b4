// Another PDS's users reach the bundled moderation service the way they reach Ozone: their PDS forwards
// the call (atproto-proxy: <team>#atproto_labeler) with a service JWT addressed to the team.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startModHarness, type ModHarness } from './moderation-harness.ts'
import { createServiceJwt } from '../../src/services/service-auth/index.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'

let h: ModHarness
let other: TestServer
let bob: Awaited<ReturnType<ModHarness['signUp']>>
let post: { uri: string; cid: string }
let dana: AtpAgent
let danaDid: string

beforeAll(async () => {
  h = await startModHarness()
  other = await startTestServer({ PDS_DID_PLC_URL: h.plc.url })
  bob = await h.signUp('bob')
  post = await bob.agent.post({ text: 'over here', createdAt: new Date().toISOString() })
  dana = new AtpAgent({ service: other.url })
  danaDid = (await dana.createAccount({ email: 'dana@example.com', handle: 'dana.test', password: 'dana-password' })).data.did
})

afterAll(async () => {
  await other.close()
  await h.close()
})

test("another server's user reports through their PDS with the proxy header; the report is stored here, by them", async () => {
  const viaTeam = dana.withProxy('atproto_labeler', h.teamDid as `did:${string}:${string}`)
  const report = await viaTeam.com.atproto.moderation.createReport({
    reasonType: 'com.atproto.moderation.defs#reasonMisleading',
    reason: 'from elsewhere',
    subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
  })
  expect(report.data).toMatchObject({ reportedBy: danaDid, reason: 'from elsewhere' })
  const events = await h.team.tools.ozone.moderation.queryEvents({ subject: post.uri, types: ['tools.ozone.moderation.defs#modEventReport'] })
  expect(events.data.events.map((e) => [e.createdBy, e.creatorHandle])).toEqual([[danaDid, 'dana.test']])
  // It is a report row too (tools.ozone.report.*), open and in no queue.
  const reports = await h.team.tools.ozone.report.queryReports({ status: 'open', subject: post.uri })
  expect(reports.data.reports.map((r) => [r.eventId, r.reportedBy, r.reportType])).toEqual([[report.data.id, danaDid, 'com.atproto.moderation.defs#reasonMisleading']])
})

test("a team member on another server moderates through their PDS (service JWT for the team)", async () => {
  const viaTeam = dana.withProxy('atproto_labeler', h.teamDid as `did:${string}:${string}`)
  const refused = await viaTeam.tools.ozone.moderation.queryStatuses({}).catch((e) => e)
  expect(refused.status).toBe(401)
  await h.team.tools.ozone.team.addMember({ did: danaDid, role: 'tools.ozone.team.defs#roleModerator' })
  const statuses = await viaTeam.tools.ozone.moderation.queryStatuses({})
  expect(statuses.data.subjectStatuses.map((s) => (s.subject as { uri?: string }).uri)).toContain(post.uri)
  const ack = await viaTeam.tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge' },
    subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
    createdBy: danaDid,
  })
  expect(ack.data.createdBy).toBe(danaDid)
  // tools.ozone.report.* through their PDS as well (proxied there, service JWT here).
  const reports = await viaTeam.tools.ozone.report.queryReports({ status: 'open', subject: post.uri })
  expect(reports.data.reports.map((r) => r.reportedBy)).toEqual([danaDid])
  const closed = await viaTeam.tools.ozone.report.closeReports({ subject: post.uri, internalNote: 'handled elsewhere' })
  expect(closed.data.closedCount).toBe(1)
  const activity = (await h.team.tools.ozone.report.listActivities({ reportId: closed.data.reportIds[0]! })).data.activities[0]
  expect(activity).toMatchObject({ createdBy: danaDid, internalNote: 'handled elsewhere' })
})

test('service JWTs for another audience, for another method or with a forged key are refused', async () => {
  const call = (jwt: string, nsid = 'com.atproto.moderation.createReport') =>
    fetch(`${h.server.url}/xrpc/${nsid}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reasonType: 'com.atproto.moderation.defs#reasonSpam', subject: { $type: 'com.atproto.admin.defs#repoRef', did: bob.did } }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: string; message?: string } }))
  const real = other.services.repo.signingKey(danaDid)
  const jwt = (aud: string, lxm: string, keypair = real) => createServiceJwt({ iss: danaDid, aud, lxm, keypair })
  expect(await call(jwt(h.server.config.service.did, 'com.atproto.moderation.createReport'))).toEqual({
    status: 401,
    body: { error: 'BadJwtAudience', message: 'jwt audience does not match service did' },
  })
  expect((await call(jwt(h.teamDid, 'com.atproto.server.getSession'))).body.error).toBe('BadJwtLexiconMethod')
  expect((await call(jwt(h.teamDid, 'com.atproto.moderation.createReport', Secp256k1Keypair.create()))).status).toBe(401)
  // The same JWT with the real key is accepted: the refusals above were for the reasons named.
  expect((await call(jwt(h.teamDid, 'com.atproto.moderation.createReport'))).status).toBe(200)
  const events = await h.team.tools.ozone.moderation.queryEvents({ subject: bob.did })
  expect(events.data.events).toHaveLength(1)
})

