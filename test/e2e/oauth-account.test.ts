// The authorization management page (authorization_management_uri = /account): sign in with the
// authorization sign-in (same device cookie), see connected apps in plain words, revoke one.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { Browser, csrfOf, loopbackClientId } from '../oauth/hand-client.ts'
import { login, newClient, REDIRECT, SCOPE, signUp } from '../oauth/flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
let bob: Awaited<ReturnType<typeof signUp>>

beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
  bob = await signUp(server, 'bob')
})
afterAll(() => server.close())

const sessionIds = (html: string) => [...html.matchAll(/name="session_id" value="([^"]+)"/g)].map((m) => m[1]!)

test('metadata names the account page', async () => {
  const as: any = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()
  expect(as.authorization_management_uri).toBe(`${server.config.service.publicUrl}/account`)
})

test('the browser that authorized an app sees it on /account and can revoke it', async () => {
  const client = await newClient(server)
  const { tokens, browser } = await login(server, client, { identifier: alice.handle, password: alice.password })
  const page = await browser.get('/account')
  expect(page.res.status).toBe(200)
  expect(page.res.headers.get('content-security-policy')).toContain("default-src 'none'")
  expect(page.res.headers.get('x-frame-options')).toBe('DENY')
  expect(page.html).toContain('name="viewport"')
  expect(page.html).toContain('@alice.test')
  expect(page.html).toContain('Loopback client')
  expect(page.html).toContain('Know who you are: your handle and account identifier (DID).')
  expect(page.html).toMatch(/Signed in \d{4}-\d\d-\d\d \d\d:\d\d UTC · last used/)
  const ids = sessionIds(page.html)
  expect(ids).toHaveLength(1)

  // Without the page's CSRF token, nothing is revoked.
  const forged = await browser.post('/account/revoke', { csrf_token: 'nope', did: alice.did, session_id: ids[0]! })
  expect(forged.res.status).toBe(403)
  // From another site, nothing is revoked either.
  const crossSite = await browser.post('/account/revoke', { csrf_token: csrfOf(page.html), did: alice.did, session_id: ids[0]! }, { origin: 'https://evil.example' })
  expect(crossSite.res.status).toBe(403)

  const revoked = await browser.post('/account/revoke', { csrf_token: csrfOf(page.html), did: alice.did, session_id: ids[0]! })
  expect(revoked.res.status).toBe(303)
  expect(revoked.res.headers.get('location')).toBe('/account?revoked=1')
  const after = await browser.get('/account?revoked=1')
  expect(after.html).toContain('Access revoked.')
  expect(sessionIds(after.html)).toHaveLength(0)
  // The session's tokens are gone: the access token is refused and the refresh token cannot be used.
  expect((await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)).status).toBe(401)
  const refresh = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: loopbackClientId(REDIRECT, SCOPE) })
  expect(refresh.body.error).toBe('invalid_grant')
})

test('a new browser signs in on /account with the same form, and sees only its own accounts', async () => {
  const client = await newClient(server)
  await login(server, client, { identifier: bob.handle, password: bob.password })
  const browser = new Browser(server.url)
  const page = await browser.get('/account')
  expect(page.res.status).toBe(200)
  expect(page.html).toContain('name="password"')
  expect(page.html).toContain('action="/account/sign-in"')
  expect(page.res.headers.getSetCookie().some((c) => c.includes('Path=/account') && c.includes('HttpOnly'))).toBe(true)

  const wrong = await browser.post('/account/sign-in', { csrf_token: csrfOf(page.html), identifier: bob.handle, password: 'wrong' })
  expect(wrong.res.status).toBe(401)
  expect(wrong.html).toContain('Wrong handle or password.')
  expect(wrong.html).toContain('value="bob.test"')

  const ok = await browser.post('/account/sign-in', { csrf_token: csrfOf(wrong.html), identifier: bob.handle, password: bob.password, remember: '1' })
  expect(ok.res.status).toBe(303)
  const list = await browser.get('/account')
  expect(list.html).toContain('@bob.test')
  expect(list.html).not.toContain('@alice.test')
  expect(sessionIds(list.html)).toHaveLength(1)

  // Alice's sessions cannot be revoked from a browser where only Bob is signed in.
  const aliceClient = await newClient(server)
  const aliceLogin = await login(server, aliceClient, { identifier: alice.handle, password: alice.password })
  const aliceIds = sessionIds((await aliceLogin.browser.get('/account')).html)
  const refused = await browser.post('/account/revoke', { csrf_token: csrfOf(list.html), did: alice.did, session_id: aliceIds[0]! })
  expect(refused.res.status).toBe(403)
  const mismatched = await browser.post('/account/revoke', { csrf_token: csrfOf(list.html), did: bob.did, session_id: aliceIds[0]! })
  expect(mismatched.res.status).toBe(404)
  expect((await aliceClient.resource('/xrpc/com.atproto.server.getSession', aliceLogin.tokens.access_token)).status).toBe(200)
})

test('a request without the device cookie cannot post', async () => {
  const res = await new Browser(server.url).post('/account/sign-in', { csrf_token: 'x', identifier: alice.handle, password: alice.password })
  expect(res.res.status).toBe(403)
})

test('client names are escaped on the account page', async () => {
  let clientId = ''
  const docs = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () =>
      Response.json({
        client_id: clientId, client_name: '<script>alert("x")</script>', redirect_uris: [REDIRECT], scope: SCOPE,
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none',
        application_type: 'web', dpop_bound_access_tokens: true,
      }),
  })
  clientId = `http://127.0.0.1:${docs.port}/client.json`
  try {
    const { browser } = await login(server, await newClient(server), { clientId, identifier: alice.handle, password: alice.password })
    const page = await browser.get('/account')
    expect(page.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;')
    expect(page.html).not.toContain('<script>alert')
  } finally {
    docs.stop(true)
  }
})
