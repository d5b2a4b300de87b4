// Issue 14 items 1-3 and 8: moving a real account between the reference PDS (@atproto/pds) and ours, both
// ways, with the official client (@atproto/api) following the standard migration steps, and with
// `pds migrate --from <reference>` (the compiled dist/pds). Afterwards the repo, blobs, preferences, the
// PLC document and both servers' account states are checked.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { startPeers, createAccount, xrpc, PNG_1x1, type Account, type Peer, type Peers } from './peers.ts'
import { pds } from '../cli/cli-harness.ts'

let env: Peers
let ours: Peer
let reference: Peer
beforeAll(async () => {
  env = await startPeers({ appView: true })
  ours = env.peers.find((p) => p.name === 'ours')!
  reference = env.peers.find((p) => p.name === 'reference')!
}, 600_000) // the first run may compile the reference's SQLite addon (scripts/ensure-reference-pds.sh)
afterAll(() => env?.close())

type PlcData = { rotationKeys: string[]; alsoKnownAs: string[]; verificationMethods: Record<string, string>; services: Record<string, { endpoint: string }> }
const plcData = async (did: string) => (await (await fetch(`${env.plc.url}/${did}/data`)).json()) as PlcData
const publicUrl = (peer: Peer) => (peer.name === 'ours' ? env.ours.config.service.publicUrl : env.reference.url)
const PREFS = [
  { $type: 'app.bsky.actor.defs#adultContentPref', enabled: true },
  { $type: 'app.bsky.actor.defs#savedFeedsPrefV2', items: [{ id: '3l6ovcmm2vd2j', type: 'timeline', value: 'following', pinned: true }] },
]

/** An account with posts, two image blobs (one shared by two posts), a profile and preferences. */
async function populate(account: Account): Promise<void> {
  const { agent } = account
  const small = (await agent.uploadBlob(PNG_1x1, { encoding: 'image/png' })).data.blob
  const other = (await agent.uploadBlob(Uint8Array.from([...PNG_1x1, 0]), { encoding: 'image/png' })).data.blob
  const images = (image: typeof small) => ({ $type: 'app.bsky.embed.images', images: [{ image, alt: '' }] })
  await agent.post({ text: 'first', embed: images(small), createdAt: new Date().toISOString() })
  await agent.post({ text: 'second', embed: images(other), createdAt: new Date().toISOString() })
  await agent.post({ text: 'same picture again', embed: images(small), createdAt: new Date().toISOString() })
  for (let i = 0; i < 3; i++) await agent.post({ text: `post ${i}`, createdAt: new Date().toISOString() })
  await agent.com.atproto.repo.putRecord({ repo: account.did, collection: 'app.bsky.actor.profile', rkey: 'self', record: { $type: 'app.bsky.actor.profile', displayName: 'Mover', avatar: other } })
  await agent.app.bsky.actor.putPreferences({ preferences: PREFS })
}

// The records with their CIDs stand for the repo: the commit itself differs, as we re-sign an imported
// repo with the account's new key where the reference keeps the old commit.
type Snapshot = { records: string[]; blobs: Record<string, string>; prefs: unknown }

/** What the account holds on a server, read as its owner (works while deactivated, as on the reference). */
async function snapshot(peer: Peer, account: { did: string; agent: AtpAgent }): Promise<Snapshot> {
  const auth = `Bearer ${account.agent.session!.accessJwt}`
  const car = await xrpc(peer.url, 'com.atproto.sync.getRepo', { params: { did: account.did }, auth })
  expect(car.status).toBe(200)
  const repo = await verifyRepoCar(car.bytes, account.did)
  const listed = await xrpc(peer.url, 'com.atproto.sync.listBlobs', { params: { did: account.did }, auth })
  const blobs: Record<string, string> = {}
  for (const cid of listed.json.cids as string[]) {
    const blob = await xrpc(peer.url, 'com.atproto.sync.getBlob', { params: { did: account.did, cid }, auth })
    blobs[cid] = Buffer.from(blob.bytes).toString('base64')
  }
  return {
    records: repo.creates.map((c) => `${c.collection}/${c.rkey}:${c.cid}`).sort(),
    blobs,
    prefs: (await account.agent.app.bsky.actor.getPreferences()).data.preferences,
  }
}

/** The standard migration with @atproto/api, step by step (as the atproto account-migration guide). */
async function migrateWithApi(from: Peer, to: Peer, account: Account): Promise<AtpAgent> {
  const old = account.agent
  const target = new AtpAgent({ service: to.url })
  const { did: targetDid } = (await target.com.atproto.server.describeServer()).data
  const serviceAuth = await old.com.atproto.server.getServiceAuth({ aud: targetDid, lxm: 'com.atproto.server.createAccount' })
  await target.com.atproto.server.createAccount(
    { did: account.did, handle: account.handle, email: account.email, password: account.password },
    { headers: { authorization: `Bearer ${serviceAuth.data.token}` }, encoding: 'application/json' },
  )
  await target.login({ identifier: account.did, password: account.password })

  const car = await old.com.atproto.sync.getRepo({ did: account.did })
  await target.com.atproto.repo.importRepo(new Uint8Array(car.data), { encoding: 'application/vnd.ipld.car' })
  let cursor: string | undefined
  do {
    const missing = await target.com.atproto.repo.listMissingBlobs({ cursor, limit: 100 })
    for (const { cid } of missing.data.blobs) {
      const blob = await old.com.atproto.sync.getBlob({ did: account.did, cid })
      await target.com.atproto.repo.uploadBlob(new Uint8Array(blob.data), { encoding: blob.headers['content-type'] })
    }
    cursor = missing.data.cursor
  } while (cursor)
  await target.app.bsky.actor.putPreferences({ preferences: (await old.app.bsky.actor.getPreferences()).data.preferences })

  // Not yet: the DID document is still the old server's (item 8: both servers check it the same way,
  // the PLC rotation key first, and refuse with the reference's message).
  const early = await xrpc(to.url, 'com.atproto.server.activateAccount', { auth: `Bearer ${target.session!.accessJwt}`, method: 'POST' })
  expect(`${early.status} ${early.error}: ${early.message}`).toBe('400 InvalidRequest: Server rotation key not included in PLC DID data')

  await old.com.atproto.identity.requestPlcOperationSignature()
  const token = await env.smtp.tokenFor(account.email)
  const creds = (await target.com.atproto.identity.getRecommendedDidCredentials()).data
  const signed = await old.com.atproto.identity.signPlcOperation({ token, ...creds })
  await target.com.atproto.identity.submitPlcOperation({ operation: signed.data.operation })
  await target.com.atproto.server.activateAccount()
  await old.com.atproto.server.deactivateAccount({})
  return target
}

/** Both servers' view of the account after a move from `from` to `to`. */
async function expectMoved(from: Peer, to: Peer, did: string, targetAgent: AtpAgent, oldAgent: AtpAgent) {
  const doc = await plcData(did)
  expect(doc.services.atproto_pds!.endpoint).toBe(publicUrl(to))
  const creds = (await targetAgent.com.atproto.identity.getRecommendedDidCredentials()).data
  expect(doc.verificationMethods.atproto).toBe((creds.verificationMethods as { atproto: string }).atproto)
  expect(doc.rotationKeys).toEqual(creds.rotationKeys!)

  const status = async (peer: Peer) => (await xrpc(peer.url, 'com.atproto.sync.getRepoStatus', { params: { did } })).json
  expect(await status(to)).toMatchObject({ did, active: true })
  expect(await status(from)).toMatchObject({ did, active: false, status: 'deactivated' })
  expect((await targetAgent.com.atproto.server.getSession()).data).toMatchObject({ did, active: true })
  expect((await oldAgent.com.atproto.server.getSession()).data).toMatchObject({ did, active: false, status: 'deactivated' })
  expect((await targetAgent.com.atproto.server.checkAccountStatus()).data).toMatchObject({ activated: true, validDid: true, expectedBlobs: 2, importedBlobs: 2 })
  // the public now reads the account from the new server only
  expect((await xrpc(to.url, 'com.atproto.repo.describeRepo', { params: { repo: did } })).status).toBe(200)
  expect((await xrpc(from.url, 'com.atproto.repo.describeRepo', { params: { repo: did } })).error).toBe('RepoDeactivated')
  // and the new server can write to it
  const post = await targetAgent.post({ text: 'hello from the new server', createdAt: new Date().toISOString() })
  expect(post.uri).toContain(did)
}

describe('account migration with the reference PDS', () => {
  test('reference → ours with @atproto/api: repo, blobs, preferences, PLC document, both account states', async () => {
    const account = await createAccount(reference, 'fromref')
    await populate(account)
    const before = await snapshot(reference, account)
    expect(before.records.length).toBe(7)
    expect(Object.keys(before.blobs).length).toBe(2)

    const target = await migrateWithApi(reference, ours, account)
    expect(await snapshot(ours, { did: account.did, agent: target })).toEqual(before)
    await expectMoved(reference, ours, account.did, target, account.agent)
  }, 60_000)

  test('ours → reference with @atproto/api: repo, blobs, preferences, PLC document, both account states', async () => {
    const account = await createAccount(ours, 'toref')
    await populate(account)
    const before = await snapshot(ours, account)
    expect(before.records.length).toBe(7)

    const target = await migrateWithApi(ours, reference, account)
    expect(await snapshot(reference, { did: account.did, agent: target })).toEqual(before)
    await expectMoved(ours, reference, account.did, target, account.agent)
  }, 60_000)

  test('`pds migrate --from <reference>` (dist/pds) moves an account onto us', async () => {
    const account = await createAccount(reference, 'cli')
    await populate(account)
    const before = await snapshot(reference, account)
    const base = ['migrate', '--from', reference.url, '--handle', account.handle, '--password', account.password, '--url', ours.url, '--yes', '--json']

    // First run: everything up to the identity change, then it waits for the emailed PLC token.
    const first = await pds(base)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(3)
    expect(first.json()).toMatchObject({ did: account.did, waitingFor: 'plc-token', done: false, blobs: { uploaded: 2, failed: [] } })

    const second = await pds([...base, '--plc-token', await env.smtp.tokenFor(account.email)])
    expect(second.stderr).toBe('')
    expect(second.code).toBe(0)
    expect(second.json()).toMatchObject({ ok: true, done: true, did: account.did })
    expect(second.json().steps).toMatchObject({ activate: 'activated', 'deactivate-old': 'deactivated' })

    const target = new AtpAgent({ service: ours.url })
    await target.login({ identifier: account.did, password: account.password })
    expect(await snapshot(ours, { did: account.did, agent: target })).toEqual(before)
    await expectMoved(reference, ours, account.did, target, account.agent)
  }, 90_000)
})
