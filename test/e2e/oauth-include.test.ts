// include:<nsid> scopes end to end: a permission set from the bundled lexicons is shown on the consent page
// in its own words, expanded into the token's scope and enforced; an unknown set is refused at PAR.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { Browser, csrfOf, loopbackClientId, pkce } from '../oauth/hand-client.ts'
import { login, newClient, REDIRECT, signUp } from '../oauth/flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
const CREATE_POSTS = 'atproto include:app.bsky.authCreatePosts'

beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
})
afterAll(() => server.close())

const now = () => new Date().toISOString()

describe('include:app.bsky.authCreatePosts', () => {
  test('consent lists the set; the token can post but not follow, nor change or delete posts', async () => {
    const client = await newClient(server)
    const flow = await login(server, client, { clientId: loopbackClientId(REDIRECT, CREATE_POSTS), scope: CREATE_POSTS, identifier: alice.handle, password: alice.password })
    const token = flow.tokens.access_token
    expect(flow.tokens.scope.split(' ')).toContain('atproto')
    expect(flow.tokens.scope).toContain('repo?collection=app.bsky.feed.post&')
    expect(flow.tokens.scope).not.toContain('include:')

    const call = (nsid: string, body: unknown) => client.resource(`/xrpc/${nsid}`, token, { method: 'POST', body })
    const created = await call('com.atproto.repo.createRecord', {
      repo: alice.did,
      collection: 'app.bsky.feed.post',
      record: { $type: 'app.bsky.feed.post', text: 'hello from a permission set', createdAt: now() },
    })
    expect(created.status).toBe(200)
    const { uri } = (await created.json()) as { uri: string }

    const follow = await call('com.atproto.repo.createRecord', {
      repo: alice.did,
      collection: 'app.bsky.graph.follow',
      record: { $type: 'app.bsky.graph.follow', subject: alice.did, createdAt: now() },
    })
    expect(follow.status).toBe(403)
    expect(((await follow.json()) as { error: string }).error).toBe('ScopeMissingError')

    const del = await call('com.atproto.repo.deleteRecord', { repo: alice.did, collection: 'app.bsky.feed.post', rkey: uri.split('/').pop() })
    expect(del.status).toBe(403)
  })

  test('the consent page says what the set allows, in its own words', async () => {
    const client = await newClient(server)
    const bob = await signUp(server, 'bob')
    const clientId = loopbackClientId(REDIRECT, CREATE_POSTS)
    const par = await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope: CREATE_POSTS, code_challenge: pkce().challenge })
    expect(par.res.status).toBe(201)
    const browser = new Browser(server.url)
    const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    const consent = await browser.post('/oauth/authorize/sign-in', { request_uri: par.body.request_uri, csrf_token: csrfOf(page.html), identifier: bob.handle, password: bob.password })
    expect(consent.res.status).toBe(200)
    expect(consent.html).toContain('<li>Create Bluesky Posts. Can not update or delete posts.</li>')
  })
})

test('an unknown permission set is refused at PAR with invalid_scope', async () => {
  const client = await newClient(server)
  const scope = 'atproto include:com.example.authUnknown'
  const r = await client.par({ client_id: loopbackClientId(REDIRECT, scope), redirect_uri: REDIRECT, scope, code_challenge: pkce().challenge })
  expect(r.res.status).toBe(400)
  expect(r.body.error).toBe('invalid_scope')
  expect(r.body.error_description).toContain('include:com.example.authUnknown')
  expect(r.body.error_description).toContain('bundled lexicons')
})
