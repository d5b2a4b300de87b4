// tools.ozone.verification.*: grants become app.bsky.graph.verification records in the team lead's repo
// (read back with getRecord and off the firehose), revocations delete them and mark the rows; roles and
// bad input as Ozone. Driven through @atproto/api's tools.ozone.verification methods.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { fails, startModHarness, type ModHarness } from './moderation-harness.ts'
import { replayAll } from '../helpers/firehose.ts'
import { Verifications } from '../../src/services/moderation/verification.ts'

let h: ModHarness
let verifier: AtpAgent & { did?: string }
let verifierDid: string
let moderator: AtpAgent
let alice: { did: string; handle: string }
let bob: { did: string; handle: string }

beforeAll(async () => {
  h = await startModHarness()
  alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  const ver = await h.signUp('ver')
  const mod = await h.signUp('modr')
  const lead = { did: h.teamDid, role: 'tools.ozone.team.defs#roleAdmin' }
  await h.server.services.moderation.team.add(lead, ver.did, 'tools.ozone.team.defs#roleVerifier')
  await h.server.services.moderation.team.add(lead, mod.did, 'tools.ozone.team.defs#roleModerator')
  verifier = h.viaTeam(ver.agent)
  verifierDid = ver.did
  moderator = h.viaTeam(mod.agent)
})
afterAll(async () => {
  await h.close()
})

const rkeyOf = (uri: string) => uri.split('/').pop()!
const records = async () => (await h.agent().com.atproto.repo.listRecords({ repo: h.teamDid, collection: 'app.bsky.graph.verification' })).data.records

test('a grant writes a verification record into the team lead\'s repo, on the firehose; failures are per item', async () => {
  const v = h.team.tools.ozone.verification
  const res = await v.grantVerifications({
    verifications: [
      { subject: alice.did, handle: alice.handle, displayName: 'Alice A.' },
      { subject: alice.did, handle: alice.handle, displayName: 'Alice twice' },
      { subject: bob.did, handle: 'handle.invalid', displayName: 'Bob' },
    ],
  })
  expect(res.data.failedVerifications).toEqual([
    { $type: 'tools.ozone.verification.grantVerifications#grantError', subject: alice.did, error: `Already verified by ${h.teamDid}` },
    { $type: 'tools.ozone.verification.grantVerifications#grantError', subject: bob.did, error: 'Cannot verify with invalid handle' },
  ])
  expect(res.data.verifications).toHaveLength(1)
  const granted = res.data.verifications[0]!
  expect(granted).toMatchObject({ issuer: h.teamDid, subject: alice.did, handle: alice.handle, displayName: 'Alice A.' })
  expect(granted.uri).toStartWith(`at://${h.teamDid}/app.bsky.graph.verification/`)
  expect(granted.revokedAt).toBeUndefined()
  expect(granted.subjectRepo).toMatchObject({ $type: 'tools.ozone.moderation.defs#repoViewDetail', did: alice.did, handle: alice.handle })
  expect(granted.issuerRepo).toMatchObject({ $type: 'tools.ozone.moderation.defs#repoViewDetail', did: h.teamDid, handle: 'mod.test' })

  // The record, as anyone reads it from the repo.
  const rec = await h.agent().com.atproto.repo.getRecord({ repo: h.teamDid, collection: 'app.bsky.graph.verification', rkey: rkeyOf(granted.uri) })
  expect(rec.data.value).toEqual({ $type: 'app.bsky.graph.verification', subject: alice.did, handle: alice.handle, displayName: 'Alice A.', createdAt: granted.createdAt })

  // And on the firehose: a #commit of the team repo creating that path with that CID.
  const frames = await replayAll(h.server.port)
  const op = frames.filter((f) => f.header.t === '#commit' && f.body.repo === h.teamDid).flatMap((f) => f.body.ops).find((o: any) => o.path === `app.bsky.graph.verification/${rkeyOf(granted.uri)}`)
  expect(op).toBeDefined()
  expect(op.action).toBe('create')
  expect(op.cid.toString()).toBe(rec.data.cid)

  // A verifier grants too; an explicit createdAt is kept.
  const byVerifier = await verifier.tools.ozone.verification.grantVerifications({ verifications: [{ subject: bob.did, handle: bob.handle, displayName: 'Bob B.', createdAt: '2026-01-02T03:04:05.000Z' }] })
  expect(byVerifier.data.failedVerifications).toEqual([])
  expect(byVerifier.data.verifications[0]).toMatchObject({ subject: bob.did, issuer: h.teamDid, createdAt: '2026-01-02T03:04:05.000Z' })
  expect((await records()).map((r) => (r.value as { subject: string }).subject).sort()).toEqual([alice.did, bob.did].sort())
})

test('listVerifications: filters, sort and cursor', async () => {
  const v = h.team.tools.ozone.verification
  const all = (await v.listVerifications({})).data.verifications
  expect(all.map((x) => x.subject)).toEqual([alice.did, bob.did]) // newest first: bob's is dated January
  expect((await v.listVerifications({ sortDirection: 'asc' })).data.verifications.map((x) => x.subject)).toEqual([bob.did, alice.did])
  expect((await v.listVerifications({ subjects: [bob.did] })).data.verifications.map((x) => x.subject)).toEqual([bob.did])
  expect((await v.listVerifications({ issuers: [alice.did] })).data.verifications).toEqual([])
  expect((await v.listVerifications({ createdBefore: '2026-06-01T00:00:00.000Z' })).data.verifications.map((x) => x.subject)).toEqual([bob.did])
  expect((await v.listVerifications({ createdAfter: '2026-06-01T00:00:00.000Z' })).data.verifications.map((x) => x.subject)).toEqual([alice.did])
  const first = await v.listVerifications({ limit: 1 })
  expect(first.data.verifications.map((x) => x.subject)).toEqual([alice.did])
  const second = await v.listVerifications({ limit: 1, cursor: first.data.cursor })
  expect(second.data.verifications.map((x) => x.subject)).toEqual([bob.did])
  expect((await v.listVerifications({ limit: 1, cursor: second.data.cursor })).data.verifications).toEqual([])
  // The whole team reads them, verifiers and moderators included.
  expect((await moderator.tools.ozone.verification.listVerifications({})).data.verifications).toHaveLength(2)
  expect((await verifier.tools.ozone.verification.listVerifications({ isRevoked: false })).data.verifications).toHaveLength(2)
})

test('a revocation deletes the record (on the firehose) and marks the row; bad URIs fail alone', async () => {
  const v = h.team.tools.ozone.verification
  const [aliceV] = (await v.listVerifications({ subjects: [alice.did] })).data.verifications
  const foreign = `at://${alice.did}/app.bsky.graph.verification/3jzfcijpj2z2a`
  const notVerification = `at://${h.teamDid}/app.bsky.feed.post/3jzfcijpj2z2a`
  const missing = `at://${h.teamDid}/app.bsky.graph.verification/3jzfcijpj2z2a`
  const res = await verifier.tools.ozone.verification.revokeVerifications({ uris: [aliceV!.uri, foreign, notVerification, missing], revokeReason: 'impersonation' })
  expect(res.data.revokedVerifications).toEqual([aliceV!.uri])
  expect(res.data.failedRevocations.map((f) => [f.uri, f.error])).toEqual([
    [foreign, `Cannot revoke verification record ${foreign} not issued by ${h.teamDid}`],
    [notVerification, 'Only verification records can be revoked'],
    [missing, 'Verification record not found'],
  ])

  const gone = await fails(h.agent().com.atproto.repo.getRecord({ repo: h.teamDid, collection: 'app.bsky.graph.verification', rkey: rkeyOf(aliceV!.uri) }))
  expect(gone.error).toBe('RecordNotFound')
  const frames = await replayAll(h.server.port)
  const ops = frames.filter((f) => f.header.t === '#commit' && f.body.repo === h.teamDid).flatMap((f) => f.body.ops)
  expect(ops.filter((o: any) => o.path === `app.bsky.graph.verification/${rkeyOf(aliceV!.uri)}`).map((o: any) => o.action)).toEqual(['create', 'delete'])

  const revoked = (await v.listVerifications({ isRevoked: true })).data.verifications
  expect(revoked).toHaveLength(1)
  expect(revoked[0]).toMatchObject({ uri: aliceV!.uri, revokedBy: verifierDid, revokeReason: 'impersonation' })
  expect(Date.parse(revoked[0]!.revokedAt!)).toBeGreaterThan(Date.parse(aliceV!.createdAt))
  expect((await v.listVerifications({ isRevoked: false })).data.verifications.map((x) => x.subject)).toEqual([bob.did])

  const again = await v.revokeVerifications({ uris: [aliceV!.uri] })
  expect(again.data).toEqual({ revokedVerifications: [], failedRevocations: [{ $type: 'tools.ozone.verification.revokeVerifications#revokeError', uri: aliceV!.uri, error: 'Verification already revoked' }] })
  // Revoked, the subject can be verified again.
  const regrant = await v.grantVerifications({ verifications: [{ subject: alice.did, handle: alice.handle, displayName: 'Alice A.' }] })
  expect(regrant.data.verifications).toHaveLength(1)
})

test('roles and bad input: clear XRPC errors and nothing changes', async () => {
  const before = await records()
  const listed = (await h.team.tools.ozone.verification.listVerifications({})).data.verifications.length
  const grant = { verifications: [{ subject: bob.did, handle: bob.handle, displayName: 'Bob' }] }

  const byModerator = await fails(moderator.tools.ozone.verification.grantVerifications(grant))
  expect(byModerator.status).toBe(401)
  expect(byModerator.message).toBe('Must be an admin or verifier to grant verifications')
  const revokeByModerator = await fails(moderator.tools.ozone.verification.revokeVerifications({ uris: [before[0]!.uri] }))
  expect(revokeByModerator.status).toBe(401)
  expect(revokeByModerator.message).toBe('Must be an admin or verifier to revoke verifications')

  const stranger = h.viaTeam((await h.signUp('stranger')).agent)
  for (const call of [() => stranger.tools.ozone.verification.grantVerifications(grant), () => stranger.tools.ozone.verification.listVerifications({})]) {
    const err = await fails(call())
    expect(err.status).toBe(401)
    expect(err.message).toBe('not a moderator account')
  }

  const auth = `Bearer ${h.team.session?.accessJwt}`
  const notArray = await h.xrpc('tools.ozone.verification.grantVerifications', { auth, body: { verifications: 'alice' } })
  expect(notArray.status).toBe(400)
  expect(notArray.body.error).toBe('InvalidRequest')
  const badDid = await h.xrpc('tools.ozone.verification.grantVerifications', { auth, body: { verifications: [{ subject: 'alice', handle: 'alice.test', displayName: 'A' }] } })
  expect(badDid.status).toBe(400)
  const tooMany = await h.xrpc('tools.ozone.verification.revokeVerifications', { auth, body: { uris: Array.from({ length: 101 }, (_, i) => `at://${h.teamDid}/app.bsky.graph.verification/3jzfcijpj2z${i}`) } })
  expect(tooMany.status).toBe(400)
  expect(tooMany.body.error).toBe('InvalidRequest')
  const badCursor = await h.xrpc('tools.ozone.verification.listVerifications', { auth, params: { cursor: 'nonsense' } })
  expect(badCursor).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Malformed cursor' } })

  expect(await records()).toEqual(before)
  expect((await h.team.tools.ozone.verification.listVerifications({})).data.verifications).toHaveLength(listed)
})

test('two batches granting the same subject at once make one verification', async () => {
  const dave = await h.signUp('dave')
  const grant = () => h.team.tools.ozone.verification.grantVerifications({ verifications: [{ subject: dave.did, handle: dave.handle, displayName: 'Dave' }] })
  const [a, b] = await Promise.all([grant(), verifier.tools.ozone.verification.grantVerifications({ verifications: [{ subject: dave.did, handle: dave.handle, displayName: 'Dave' }] })])
  expect(a.data.verifications.length + b.data.verifications.length).toBe(1)
  expect([...a.data.failedVerifications, ...b.data.failedVerifications].map((f) => f.error)).toEqual([`Already verified by ${h.teamDid}`])
  expect((await records()).filter((r) => (r.value as { subject: string }).subject === dave.did)).toHaveLength(1)
})

test('records the lead wrote or deleted with another client are picked up by the next process', async () => {
  const lead = h.team.clone()
  lead.configureProxy(null) // the lead's own client, writing to its own repo
  const carol = await h.signUp('carol')
  const createdAt = new Date().toISOString()
  const written = await lead.com.atproto.repo.createRecord({
    repo: h.teamDid,
    collection: 'app.bsky.graph.verification',
    record: { $type: 'app.bsky.graph.verification', subject: carol.did, handle: carol.handle, displayName: 'Carol', createdAt },
  })
  const [bobV] = (await h.team.tools.ozone.verification.listVerifications({ subjects: [bob.did], isRevoked: false })).data.verifications
  await lead.com.atproto.repo.deleteRecord({ repo: h.teamDid, collection: 'app.bsky.graph.verification', rkey: rkeyOf(bobV!.uri) })

  // What a restarted server sees on its first use (this process already synced at its first).
  const next = new Verifications(h.server.services.moderation.ctx)
  const listed = (await next.list({ subjects: [carol.did, bob.did] })).verifications
  expect(listed.find((v) => v.subject === carol.did)).toMatchObject({ uri: written.data.uri, issuer: h.teamDid, handle: carol.handle, displayName: 'Carol', createdAt })
  expect(listed.find((v) => v.uri === bobV!.uri)).toMatchObject({ revokedBy: h.teamDid })
  expect(listed.find((v) => v.uri === bobV!.uri)!.revokeReason).toBeUndefined()
})
