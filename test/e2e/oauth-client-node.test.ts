// OAuth with the official client (@atproto/oauth-client-node): discovery from the DID, PAR, DPoP with
// nonces, the callback, an authenticated Agent writing records, refresh and sign-out.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Agent } from '@atproto/api'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { Browser, csrfOf } from '../oauth/hand-client.ts'
import { signUp } from '../oauth/flow.ts'
import { loopbackOAuthClient } from '../oauth/node-client.ts'

let plc: TestPlc
let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>

const REDIRECT = 'http://127.0.0.1/callback'
const SCOPE = 'atproto transition:generic'


beforeAll(async () => {
  plc = await startPlcDirectory()
  server = await startTestServer({ PDS_DID_PLC_URL: plc.url })
  alice = await signUp(server, 'alice')
})
afterAll(async () => {
  await server.close()
  await plc.close()
})

function newClient() {
  return loopbackOAuthClient({ redirectUri: REDIRECT, scope: SCOPE, plcUrl: plc.url, pdsUrl: server.url })
}

test('sign in with the official client, write a record, refresh, sign out', async () => {
  const client = newClient()
  const authorizeUrl = await client.authorize(alice.did, { scope: SCOPE, state: 'app-state' })
  expect(authorizeUrl.pathname).toBe('/oauth/authorize')

  const browser = new Browser(server.url)
  const page = await browser.get(authorizeUrl.pathname + authorizeUrl.search)
  expect(page.res.status).toBe(200)
  const requestUri = authorizeUrl.searchParams.get('request_uri')!
  const consent = await browser.post('/oauth/authorize/sign-in', { request_uri: requestUri, csrf_token: csrfOf(page.html), identifier: alice.handle, password: alice.password })
  const done = await browser.post('/oauth/authorize/accept', { request_uri: requestUri, csrf_token: csrfOf(consent.html), did: alice.did })
  expect(done.res.status).toBe(303)
  const callback = new URL(done.res.headers.get('location')!)

  const { session, state } = await client.callback(callback.searchParams)
  expect(state).toBe('app-state')
  expect(session.did as string).toBe(alice.did)

  const agent = new Agent(session)
  const created = await agent.com.atproto.repo.createRecord({
    repo: alice.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text: 'hello from OAuth', createdAt: new Date().toISOString() },
  })
  expect(created.data.uri).toStartWith(`at://${alice.did}/app.bsky.feed.post/`)
  const me = await agent.com.atproto.server.getSession()
  expect(me.data.did).toBe(alice.did)

  const info = await session.getTokenInfo(true) // forces a refresh
  expect(info.sub as string).toBe(alice.did)
  expect((await agent.com.atproto.server.getSession()).data.did).toBe(alice.did)

  await session.signOut()
  await expect(client.restore(alice.did as `did:plc:${string}`)).rejects.toThrow()
})
