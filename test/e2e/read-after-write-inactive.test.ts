// Issue 24, the AppView-facing reads. The read-after-write path: the owner of a deactivated account still reads through this server
// with its own newer records merged in, as the reference (which checks no account status there); a deleted
// account's leftover token gets 403 AccountNotFound instead of an error from its missing repo.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { SimpleDidResolver, didKeyResolver } from '../helpers/did-resolver.ts'
import { startFakeServices } from '../helpers/fake-services.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let plc: TestPlc
let server: TestServer
let fakes: ReturnType<typeof startFakeServices>

beforeAll(async () => {
  plc = await startPlcDirectory()
  fakes = startFakeServices(didKeyResolver(new SimpleDidResolver({ plcUrl: plc.url, allowHttpWeb: true })))
  server = await startTestServer({ PDS_DID_PLC_URL: plc.url, ...fakes.env })
})
afterAll(async () => {
  await server.close()
  await plc.close()
  fakes.close()
})

test('deactivated: own profile with the newer local record merged in; deleted: 403 AccountNotFound', async () => {
  const agent = new AtpAgent({ service: server.url })
  const { did } = (await agent.createAccount({ email: 'dora@example.com', handle: 'dora.test', password: 'dora-pass' })).data
  await agent.post({ text: 'indexed by the AppView', createdAt: new Date().toISOString() })
  const indexedRev = (await agent.com.atproto.sync.getLatestCommit({ did })).data.rev
  await agent.com.atproto.repo.putRecord({ repo: did, collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'New' } })
  fakes.appView.on('app.bsky.actor.getProfile', () =>
    Response.json({ did, handle: 'dora.test', displayName: 'Old' }, { headers: { 'atproto-repo-rev': indexedRev } }),
  )
  await agent.com.atproto.server.deactivateAccount({})
  expect((await agent.getProfile({ actor: did })).data.displayName).toBe('New')
  expect(fakes.appView.calls.at(-1)!.jwt).toMatchObject({ iss: did, lxm: 'app.bsky.actor.getProfile' })

  await agent.com.atproto.admin.deleteAccount({ did }, { headers: { authorization: server.adminAuth } })
  const gone = await agent.getProfile({ actor: did }).catch((e) => e)
  expect([gone.status, gone.error]).toEqual([403, 'AccountNotFound'])
})

test('repo.getRecord of an inactive account is not served from the repo: the AppView is asked, as the reference', async () => {
  const agent = new AtpAgent({ service: server.url })
  const { did } = (await agent.createAccount({ email: 'gail@example.com', handle: 'gail.test', password: 'gail-pass' })).data
  const post = await agent.post({ text: 'mine', createdAt: new Date().toISOString() })
  const rkey = post.uri.split('/').pop()!
  const params = { repo: did, collection: 'app.bsky.feed.post', rkey }
  expect((await agent.com.atproto.repo.getRecord(params)).data.uri).toBe(post.uri)

  await agent.com.atproto.server.deactivateAccount({})
  fakes.appView.skipAuth('com.atproto.repo.getRecord') // the reference forwards it without a service token
  fakes.appView.on('com.atproto.repo.getRecord', () => Response.json({ error: 'RecordNotFound', message: 'from the AppView' }, { status: 400 }))
  const res = await fetch(`${server.url}/xrpc/com.atproto.repo.getRecord?${new URLSearchParams(params)}`)
  expect(res.status).toBe(400)
  expect(await res.json()).toEqual({ error: 'RecordNotFound', message: 'from the AppView' })
  const call = fakes.appView.calls.at(-1)!
  expect(call.nsid).toBe('com.atproto.repo.getRecord')
  expect(call.url.searchParams.get('repo')).toBe(did)
  expect(call.headers.get('authorization')).toBeNull()
})
