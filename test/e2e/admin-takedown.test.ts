// Moderation over the admin API: account/record takedowns, their effect on reads and events, and the CLI helper.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { findAccount } from '../../cli/lib/account-lookup.ts'
import { setAccountTakedown } from '../../cli/commands/takedown.ts'
import { XrpcClient } from '../../cli/lib/xrpc-client.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let plc: TestPlc
let server: TestServer
let did: string
let postUri: string
let postCid: string
const accountEvents: Array<[string, boolean, string | undefined]> = []

beforeAll(async () => {
  plc = await startPlcDirectory()
  server = await startTestServer({ PDS_DID_PLC_URL: plc.url })
  const events = server.services.events
  const account = events.account.bind(events)
  events.account = (d, active, status) => {
    accountEvents.push([d, active, status])
    account(d, active, status)
  }
  const alice = new AtpAgent({ service: server.url })
  did = (await alice.createAccount({ email: 'mod@example.com', handle: 'moddy.test', password: 'moddy-pass' })).data.did
  const post = await alice.post({ text: 'to be moderated', createdAt: new Date().toISOString() })
  postUri = post.uri
  postCid = post.cid
})

afterAll(async () => {
  await server.close()
  await plc.close()
})

const admin = () => new XrpcClient(server.url, server.adminAuth)
const status = (params: Record<string, string>) => admin().query<Record<string, any>>('com.atproto.admin.getSubjectStatus', params)

test('the admin API needs admin credentials', async () => {
  const res = await fetch(`${server.url}/xrpc/com.atproto.admin.getSubjectStatus?did=${did}`)
  expect(res.status).toBe(401)
  const wrong = await fetch(`${server.url}/xrpc/com.atproto.admin.getSubjectStatus?did=${did}`, { headers: { authorization: 'Basic ' + btoa('admin:nope') } })
  expect(wrong.status).toBe(401)
})

test('account takedown: status, #account event, login refused, repo hidden; untakedown restores', async () => {
  expect(await status({ did })).toMatchObject({ subject: { did }, takedown: { applied: false } })
  const result = await setAccountTakedown(admin(), findAccount(server.config, 'moddy.test').did, true, 'TICKET-1')
  expect(result).toEqual({ did, takedown: { applied: true, ref: 'TICKET-1' } })
  expect(accountEvents.at(-1)).toEqual([did, false, 'takendown'])
  const login = await new AtpAgent({ service: server.url }).login({ identifier: 'moddy.test', password: 'moddy-pass' }).catch((e) => e)
  expect(login.error).toBe('AccountTakedown')
  const read = await fetch(`${server.url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=app.bsky.feed.post&rkey=${postUri.split('/').pop()}`)
  expect(read.status).toBeGreaterThanOrEqual(400)
  const restored = await setAccountTakedown(admin(), did, false)
  expect(restored.takedown).toEqual({ applied: false })
  expect(accountEvents.at(-1)![1]).toBe(true)
  await new AtpAgent({ service: server.url }).login({ identifier: 'moddy.test', password: 'moddy-pass' })
})

test('record takedown hides the record from repo reads', async () => {
  const rkey = postUri.split('/').pop()!
  const url = `${server.url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=app.bsky.feed.post&rkey=${rkey}`
  expect((await fetch(url)).status).toBe(200)
  await admin().procedure('com.atproto.admin.updateSubjectStatus', {
    subject: { $type: 'com.atproto.repo.strongRef', uri: postUri, cid: postCid },
    takedown: { applied: true, ref: 'R-1' },
  })
  expect(await status({ uri: postUri })).toEqual({ subject: { $type: 'com.atproto.repo.strongRef', uri: postUri, cid: postCid }, takedown: { applied: true, ref: 'R-1' } })
  expect((await fetch(url)).status).toBe(400)
  await admin().procedure('com.atproto.admin.updateSubjectStatus', {
    subject: { $type: 'com.atproto.repo.strongRef', uri: postUri, cid: postCid },
    takedown: { applied: false },
  })
  expect((await fetch(url)).status).toBe(200)
})

test('record takedown: listRecords leaves the record out before the limit, as the reference does', async () => {
  const alice = new AtpAgent({ service: server.url })
  await alice.login({ identifier: 'moddy.test', password: 'moddy-pass' })
  const posts = []
  for (let i = 0; i < 3; i++) posts.push(await alice.post({ text: `page ${i}`, createdAt: new Date().toISOString() }))
  const rkeys = posts.map((p) => p.uri.split('/').pop()!)
  const page = async (params: string) => {
    const res = await fetch(`${server.url}/xrpc/com.atproto.repo.listRecords?repo=${did}&collection=app.bsky.feed.post&${params}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { records: Array<{ uri: string }>; cursor?: string }
    return { rkeys: body.records.map((r) => r.uri.split('/').pop()), cursor: body.cursor }
  }
  const hidden = { $type: 'com.atproto.repo.strongRef', uri: posts[1]!.uri, cid: posts[1]!.cid }
  await admin().procedure('com.atproto.admin.updateSubjectStatus', { subject: hidden, takedown: { applied: true, ref: 'R-2' } })
  // Newest first: the taken-down middle post neither shows nor uses up a place on the page.
  expect(await page('limit=2')).toEqual({ rkeys: [rkeys[2], rkeys[0]], cursor: rkeys[0] })
  expect(await page(`limit=2&reverse=true&cursor=${postUri.split('/').pop()}`)).toEqual({ rkeys: [rkeys[0], rkeys[2]], cursor: rkeys[2] })
  await admin().procedure('com.atproto.admin.updateSubjectStatus', { subject: hidden, takedown: { applied: false } })
  expect(await page('limit=2')).toEqual({ rkeys: [rkeys[2], rkeys[1]], cursor: rkeys[1] })
})

test('blob takedown hides the blob and moves its bytes to quarantine; reversal restores them', async () => {
  const alice = new AtpAgent({ service: server.url })
  await alice.login({ identifier: 'moddy.test', password: 'moddy-pass' })
  const bytes = new Uint8Array(2048).map((_, i) => (i * 7) % 256)
  const { data } = await alice.com.atproto.repo.uploadBlob(bytes, { encoding: 'application/octet-stream' })
  await alice.com.atproto.repo.createRecord({
    repo: did,
    collection: 'com.example.attachment',
    record: { $type: 'com.example.attachment', file: data.blob },
  })
  const cid = data.blob.ref.toString()
  const blobUrl = `${server.url}/xrpc/com.atproto.sync.getBlob?did=${did}&cid=${cid}`
  const store = server.services.repo.blobs as import('../../src/services/blobs/store.ts').DiskBlobStore
  expect((await fetch(blobUrl)).status).toBe(200)
  const subject = { $type: 'com.atproto.admin.defs#repoBlobRef', did, cid }
  await admin().procedure('com.atproto.admin.updateSubjectStatus', { subject, takedown: { applied: true, ref: 'B-1' } })
  expect(await status({ did, blob: cid })).toMatchObject({ takedown: { applied: true, ref: 'B-1' } })
  expect((await fetch(blobUrl)).ok).toBe(false)
  expect(await Bun.file(store.blobPath(did, cid)).exists()).toBe(false)
  expect(new Uint8Array(await Bun.file(store.quarantinePath(did, cid)).arrayBuffer())).toEqual(bytes)
  await admin().procedure('com.atproto.admin.updateSubjectStatus', { subject, takedown: { applied: false } })
  expect(await Bun.file(store.quarantinePath(did, cid)).exists()).toBe(false)
  const res = await fetch(blobUrl)
  expect(res.status).toBe(200)
  expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes)
})

test('unknown subjects are NotFound', async () => {
  const err = await status({ did: 'did:plc:nobody0000000000000000000' }).catch((e) => e)
  expect(err.status).toBe(400)
  expect(err.error).toBe('NotFound')
})
