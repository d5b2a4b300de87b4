// Issue 21, disaster recovery: an account created on one of our servers, that server's data deleted, the
// account restored on another from a repo CAR and the rotation key the old server listed, with the
// loopback PLC directory. Refusals (a key that is not a rotation key, a CAR that does not verify, a DID
// already hosted here) change nothing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { formatEnvFile } from '../../src/config/env.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startTestServer, testEnv, type TestServer } from '../helpers/server.ts'
import { subscribeRepos, type Subscription } from '../helpers/firehose.ts'
import { PNG_1x1 } from '../interop/peers.ts'
import { pds } from './cli-harness.ts'

const OLD_ROTATION_KEY = '1111111111111111111111111111111111111111111111111111111111111111'
const NEW_ROTATION_KEY = '2222222222222222222222222222222222222222222222222222222222222222'
const work = mkdtempSync(join(tmpdir(), 'pds-restore-'))
let plc: TestPlc
let server: TestServer
let firehose: Subscription
const alice = { did: '', handle: 'alice.test', postRkey: '', blobCid: '' }
const carFile = join(work, 'alice.car')
const blobDir = join(work, 'blobs')

beforeAll(async () => {
  plc = await startPlcDirectory()
  // The old server: an account with a post and an image, exported, then the server and its data gone.
  const old = await startTestServer({ PDS_DID_PLC_URL: plc.url, PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: OLD_ROTATION_KEY })
  const agent = new AtpAgent({ service: `http://127.0.0.1:${old.port}` })
  await agent.createAccount({ handle: alice.handle, email: 'alice@example.com', password: 'old-password' })
  alice.did = agent.session!.did
  const blob = (await agent.uploadBlob(PNG_1x1, { encoding: 'image/png' })).data.blob
  alice.blobCid = blob.ref.toString()
  const post = await agent.post({ text: 'before the fire', embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] } })
  alice.postRkey = post.uri.split('/').pop()!
  await agent.post({ text: 'another one' })
  writeFileSync(carFile, new Uint8Array((await agent.com.atproto.sync.getRepo({ did: alice.did })).data))
  mkdirSync(blobDir)
  writeFileSync(join(blobDir, alice.blobCid), PNG_1x1)
  await old.close() // removes its data directory

  server = await startTestServer({ PDS_DID_PLC_URL: plc.url, PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: NEW_ROTATION_KEY })
  writeFileSync(join(server.dataDir, 'pds.env'), formatEnvFile(testEnv(server.dataDir, server.port, { PDS_DID_PLC_URL: plc.url, PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: NEW_ROTATION_KEY })), { mode: 0o600 })
  firehose = await subscribeRepos(server.port)
})
afterAll(async () => {
  firehose?.ws.close()
  await server?.close()
  await plc?.close()
  rmSync(work, { recursive: true, force: true })
})

const plcLog = async () => (await (await fetch(`${plc.url}/${alice.did}/log`)).json()) as unknown[]
const restore = (extra: string[]) =>
  pds(['restore-account', '--car', carFile, '--email', 'alice@example.org', '--password', 'new-password', '--data-dir', server.dataDir, '--json', ...extra])

describe('pds restore-account', () => {
  test('refused, nothing changed: a key that is not a rotation key of the DID', async () => {
    const before = await plcLog()
    const run = await restore(['--rotation-key', NEW_ROTATION_KEY])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('is not a rotation key of the DID')
    expect(await plcLog()).toEqual(before)
  })

  test('refused, nothing changed: a CAR that does not verify', async () => {
    const bytes = new Uint8Array(await Bun.file(carFile).arrayBuffer())
    const broken = join(work, 'broken.car')
    writeFileSync(broken, bytes.subarray(0, bytes.length - 200)) // a record block cut off
    const keyFile = join(work, 'rotation.key')
    writeFileSync(keyFile, `${OLD_ROTATION_KEY}\n`)
    const before = await plcLog()
    const run = await pds(['restore-account', '--car', broken, '--rotation-key', keyFile, '--email', 'a@example.org', '--data-dir', server.dataDir])
    expect(run.code).not.toBe(0)
    expect(run.stderr).toMatch(/CAR/)
    expect(await plcLog()).toEqual(before)
    const info = await fetch(`${server.url}/xrpc/com.atproto.admin.getAccountInfo?did=${alice.did}`, { headers: { authorization: server.adminAuth } })
    expect(info.status).toBe(400)
  })

  test('restores the account from the CAR and the old server’s rotation key', async () => {
    const run = await restore(['--rotation-key', OLD_ROTATION_KEY, '--blobs', blobDir])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ ok: true, did: alice.did, handle: alice.handle, records: 2, blobs: { uploaded: 1, missing: [] } })

    // The DID document points here, with a new signing key; the person's key stays the first rotation key.
    const data = (await (await fetch(`${plc.url}/${alice.did}/data`)).json()) as { rotationKeys: string[]; verificationMethods: { atproto: string }; services: { atproto_pds: { endpoint: string } } }
    expect(data.services.atproto_pds.endpoint).toBe(server.config.service.publicUrl)
    const oldKeyDid = run.json().rotationKey
    expect(data.rotationKeys[0]).toBe(oldKeyDid)
    expect(data.rotationKeys.length).toBeGreaterThan(1)

    // The account signs in, its records and blob are served, and the repo verifies with the new key.
    const agent = new AtpAgent({ service: server.url })
    await agent.login({ identifier: alice.handle, password: 'new-password' })
    expect(agent.session?.active).not.toBe(false)
    const post = await agent.com.atproto.repo.getRecord({ repo: alice.did, collection: 'app.bsky.feed.post', rkey: alice.postRkey })
    expect((post.data.value as { text: string }).text).toBe('before the fire')
    const blob = await agent.com.atproto.sync.getBlob({ did: alice.did, cid: alice.blobCid })
    expect(Buffer.from(blob.data).equals(Buffer.from(PNG_1x1))).toBe(true)
    const car = new Uint8Array((await agent.com.atproto.sync.getRepo({ did: alice.did })).data)
    const repo = await verifyRepoCar(car, alice.did, data.verificationMethods.atproto)
    expect(repo.creates.length).toBe(2)
    await agent.post({ text: 'after the fire' })

    // The firehose: #identity, #account and #sync for the restored account.
    for (let i = 0; i < 200 && !firehose.frames.some((f) => (f.header as { t: string }).t === '#commit' && (f.body as { repo?: string }).repo === alice.did); i++) await Bun.sleep(25)
    const kinds = firehose.frames.filter((f) => (f.body as { did?: string; repo?: string }).did === alice.did || (f.body as { repo?: string }).repo === alice.did).map((f) => (f.header as { t: string }).t)
    for (const kind of ['#identity', '#account', '#sync', '#commit']) expect(kinds).toContain(kind)
  })

  test('refused: a DID already hosted here', async () => {
    const before = await plcLog()
    const run = await restore(['--rotation-key', OLD_ROTATION_KEY])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('already hosted on this server')
    expect(await plcLog()).toEqual(before)
  })
})
