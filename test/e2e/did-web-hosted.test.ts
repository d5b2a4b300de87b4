// Issue 21, hosted did:web: an account created as did:web:<handle> on a handle under our domains, driven
// with @atproto/api. Its document is served at /.well-known/did.json for that host (Host header), names
// the account's handle, signing key and this server, and stays current on a handle change (#identity on
// the firehose). The repo verifies against the key the document names. The name stays the account's.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { getHandle, getPdsEndpoint, getSigningDidKey, isValidDidDoc } from '@atproto/common-web'
import { verifyRepoCar } from '@atproto/repo'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { subscribeRepos, type Subscription } from '../helpers/firehose.ts'

const DID = 'did:web:webby.test'
let h: AccountHarness
let firehose: Subscription
beforeAll(async () => {
  h = await startAccountHarness()
  firehose = await subscribeRepos(h.server.port)
})
afterAll(async () => {
  firehose?.ws.close()
  await h?.close()
})

const didJson = async (host: string) => {
  const res = await fetch(`${h.server.url}/.well-known/did.json`, { headers: { host } })
  return { status: res.status, doc: (res.ok ? await res.json() : null) as any }
}
const call = async (agent: AtpAgent, fn: () => Promise<unknown>) => fn().then(() => 'ok', (err) => `${err.error}: ${err.message}`)

test('create did:web:<handle>, its document by Host header, a repo that verifies with its key', async () => {
  const agent = new AtpAgent({ service: h.server.url })
  const created = await agent.com.atproto.server.createAccount({ handle: 'webby.test', did: DID, email: 'webby@example.com', password: 'webby-password' })
  expect(created.data.did).toBe(DID)
  expect(created.data.didDoc).toMatchObject({ id: DID })
  await agent.resumeSession({ ...created.data, active: true })

  const { status, doc } = await didJson('webby.test')
  expect(status).toBe(200)
  expect(isValidDidDoc(doc)).toBe(true)
  expect(doc.id).toBe(DID)
  expect(getHandle(doc)).toBe('webby.test')
  expect(getPdsEndpoint(doc)).toBe(h.server.config.service.publicUrl)
  expect(created.data.didDoc).toEqual(doc)

  await agent.post({ text: 'hello from a did:web', createdAt: new Date().toISOString() })
  const car = await agent.com.atproto.sync.getRepo({ did: DID })
  const repo = await verifyRepoCar(new Uint8Array(car.data), DID, getSigningDidKey(doc)!)
  expect(repo.creates.map((c) => c.collection)).toEqual(['app.bsky.feed.post'])
  expect((await agent.com.atproto.server.checkAccountStatus()).data).toMatchObject({ activated: true, validDid: true })
  expect((await agent.com.atproto.identity.resolveHandle({ handle: 'webby.test' })).data.did).toBe(DID)
  // Nothing went to the PLC directory.
  expect((await fetch(`${h.plc.url}/${DID}`)).status).not.toBe(200)

  // An unknown name and the server's own name get the server's own document (its did:web), not this one.
  expect((await didJson('nobody.test')).doc).toMatchObject({ id: h.server.config.service.did })
  expect((await didJson('localhost')).doc).toMatchObject({ id: h.server.config.service.did })
})

test('a handle change is in the document at once and on the firehose; the old name stays the account\'s', async () => {
  const agent = new AtpAgent({ service: h.server.url })
  await agent.login({ identifier: DID, password: 'webby-password' })
  await agent.com.atproto.identity.updateHandle({ handle: 'webby-renamed.test' })
  const { doc } = await didJson('webby.test')
  expect(getHandle(doc)).toBe('webby-renamed.test')
  await Bun.sleep(100)
  const identities = firehose.frames.filter((f) => f.header.t === '#identity' && (f.body as { did: string }).did === DID)
  expect(identities.map((f) => (f.body as { handle?: string }).handle)).toContain('webby-renamed.test')

  const other = new AtpAgent({ service: h.server.url })
  expect(await call(other, () => other.createAccount({ handle: 'webby.test', email: 'squatter@example.com', password: 'squatter-password' }))).toBe('InvalidRequest: Handle already taken: webby.test')
  const second = new AtpAgent({ service: h.server.url })
  await second.createAccount({ handle: 'second.test', email: 'second@example.com', password: 'second-password' })
  expect(await call(second, () => second.com.atproto.identity.updateHandle({ handle: 'webby.test' }))).toBe('HandleNotAvailable: Handle already taken: webby.test')
})

test('refused: a did:web not named after its handle, a recovery key, the same DID twice', async () => {
  const agent = new AtpAgent({ service: h.server.url })
  const create = (input: Record<string, string>) => call(agent, () => agent.com.atproto.server.createAccount({ email: `${input.handle}@example.com`, password: 'some-password', ...input } as never))
  expect(await create({ handle: 'webster.test', did: 'did:web:someone-else.test' })).toBe('InvalidRequest: A did:web hosted here is named after its handle: use did:web:webster.test with the handle webster.test')
  expect(await create({ handle: 'webster.test', did: 'did:web:webster.test', recoveryKey: 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme' })).toBe(
    'InvalidRequest: recoveryKey is a did:plc rotation key; a did:web has none',
  )
  expect(await create({ handle: 'webby-renamed.test', did: DID })).toMatch(/^InvalidRequest: Handle already taken|^AccountAlreadyExists/)
  // A did:web on a domain that is not ours needs its controller's service auth, as the reference.
  expect(await create({ handle: 'webster.test', did: 'did:web:example.org' })).toBe('AuthenticationRequired: Missing auth to create account with did: did:web:example.org')
})
