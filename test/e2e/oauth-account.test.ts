// The authorization management page (authorization_management_uri = /account) is the account web app:
// after signing in there, its sessions view lists connected apps in plain words, each with a Revoke
// button that ends the app's tokens (the browser-driven tests are in test/web/account).
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

/** The OAuth sessions' ids on the sessions page (the revoke forms of kind "oauth"). */
const oauthIds = (html: string) => [...html.matchAll(/name="kind" value="oauth"><input type="hidden" name="id" value="([^"]+)"/g)].map((m) => m[1]!)

async function signedIn(user: { handle: string; password: string }) {
  const browser = new Browser(server.url)
  const page = await browser.get('/account/sign-in')
  const res = await browser.post('/account/sign-in', { csrf_token: csrfOf(page.html), identifier: user.handle, password: user.password, next: '/account/sessions' })
  expect(res.res.status).toBe(303)
  expect(res.res.headers.get('location')).toBe('/account/sessions')
  return browser
}

test('metadata names the account page', async () => {
  const as: any = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()
  expect(as.authorization_management_uri).toBe(`${server.config.service.publicUrl}/account`)
})

test('signed out, /account asks to sign in; a wrong password is refused', async () => {
  const browser = new Browser(server.url)
  const home = await browser.get('/account')
  expect(home.res.status).toBe(303)
  expect(home.res.headers.get('location')).toBe('/account/sign-in?next=%2Faccount')
  // The forms' CSRF tokens are bound to a cookie set on the first visit.
  expect(home.res.headers.getSetCookie().some((c) => c.includes('Path=/account') && c.includes('HttpOnly') && c.includes('SameSite=Lax'))).toBe(true)
  const page = await browser.get('/account/sign-in')
  expect(page.res.status).toBe(200)
  expect(page.html).toContain('name="password"')
  expect(page.html).toContain('action="/account/sign-in"')
  const wrong = await browser.post('/account/sign-in', { csrf_token: csrfOf(page.html), identifier: bob.handle, password: 'wrong' })
  expect(wrong.res.status).toBe(401)
  expect(wrong.html).toContain('That handle or email and password do not match.')
  expect(wrong.html).toContain('value="bob.test"')
})

test('an authorized app is listed in plain words and can be revoked', async () => {
  const client = await newClient(server)
  const { tokens } = await login(server, client, { identifier: alice.handle, password: alice.password })
  const browser = await signedIn(alice)
  const page = await browser.get('/account/sessions')
  expect(page.res.status).toBe(200)
  expect(page.res.headers.get('content-security-policy')).toContain("default-src 'none'")
  expect(page.res.headers.get('x-frame-options')).toBe('DENY')
  expect(page.html).toContain('name="viewport"')
  expect(page.html).toContain('@alice.test')
  expect(page.html).toContain('Loopback client')
  expect(page.html).toContain('Know who you are: your handle and account identifier (DID).')
  expect(page.html).toMatch(/Connected <time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time> · last used/)
  const ids = oauthIds(page.html)
  expect(ids).toHaveLength(1)

  // Without the page's CSRF token, nothing is revoked.
  const forged = await browser.post('/account/sessions/revoke', { csrf_token: 'nope', kind: 'oauth', id: ids[0]! })
  expect(forged.res.status).toBe(403)
  // From another site, nothing is revoked either.
  const crossSite = await browser.post('/account/sessions/revoke', { csrf_token: csrfOf(page.html), kind: 'oauth', id: ids[0]! }, { origin: 'https://evil.example' })
  expect(crossSite.res.status).toBe(403)
  expect((await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)).status).toBe(200)

  const revoked = await browser.post('/account/sessions/revoke', { csrf_token: csrfOf(page.html), kind: 'oauth', id: ids[0]! })
  expect(revoked.res.status).toBe(303)
  expect(revoked.res.headers.get('location')).toBe('/account/sessions?done=revoked')
  const after = await browser.get('/account/sessions?done=revoked')
  expect(after.html).toContain('That session can no longer be used.')
  expect(oauthIds(after.html)).toHaveLength(0)
  // The session's tokens are gone: the access token is refused and the refresh token cannot be used.
  expect((await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)).status).toBe(401)
  const refresh = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: loopbackClientId(REDIRECT, SCOPE) })
  expect(refresh.body.error).toBe('invalid_grant')
})

test('an account sees only its own apps and cannot revoke another account’s', async () => {
  const bobClient = await newClient(server)
  await login(server, bobClient, { identifier: bob.handle, password: bob.password })
  const aliceClient = await newClient(server)
  const aliceLogin = await login(server, aliceClient, { identifier: alice.handle, password: alice.password })
  const bobBrowser = await signedIn(bob)
  const list = await bobBrowser.get('/account/sessions')
  expect(list.html).toContain('@bob.test')
  expect(list.html).not.toContain('@alice.test')
  expect(oauthIds(list.html)).toHaveLength(1)

  const aliceIds = oauthIds((await (await signedIn(alice)).get('/account/sessions')).html)
  const refused = await bobBrowser.post('/account/sessions/revoke', { csrf_token: csrfOf(list.html), kind: 'oauth', id: aliceIds[0]! })
  expect(refused.res.status).toBe(404)
  expect((await aliceClient.resource('/xrpc/com.atproto.server.getSession', aliceLogin.tokens.access_token)).status).toBe(200)
})

test('a request without the pre-session cookie cannot post', async () => {
  const res = await new Browser(server.url).post('/account/sign-in', { csrf_token: 'x', identifier: alice.handle, password: alice.password })
  expect(res.res.status).toBe(403)
})

test('client names are escaped on the sessions page', async () => {
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
    await login(server, await newClient(server), { clientId, identifier: alice.handle, password: alice.password })
    const page = await (await signedIn(alice)).get('/account/sessions')
    expect(page.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;')
    expect(page.html).not.toContain('<script>alert')
  } finally {
    docs.stop(true)
  }
})
