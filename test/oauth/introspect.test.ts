// OAuth token introspection (RFC 7662) and re-authorization (issue 23): a client learns about its own
// tokens only, authenticated as at revocation; authorizing a client again ends its earlier tokens for
// that account.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { loopbackClientId } from './hand-client.ts'
import { login, newClient, REDIRECT, signUp } from './flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
})
afterAll(() => server.close())

test('introspection: active tokens of the asking client, inactive for everything else', async () => {
  const client = await newClient(server)
  const { tokens, clientId } = await login(server, client, { identifier: alice.handle, password: alice.password })
  const meta: any = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()
  expect(meta.introspection_endpoint).toBe(`${server.config.service.publicUrl}/oauth/introspect`)

  const access = await client.post('/oauth/introspect', { token: tokens.access_token, client_id: clientId })
  expect(access.res.status).toBe(200)
  expect(access.res.headers.get('cache-control')).toBe('no-store')
  expect(access.body).toMatchObject({ active: true, token_type: 'DPoP', client_id: clientId, sub: alice.did, scope: tokens.scope })
  expect(access.body.exp).toBeGreaterThan(Date.now() / 1000)

  const refresh = await client.post('/oauth/introspect', { token: tokens.refresh_token, client_id: clientId, token_type_hint: 'refresh_token' })
  expect(refresh.body).toMatchObject({ active: true, token_type: 'refresh_token', client_id: clientId, sub: alice.did })

  // Another client asking about these tokens, and garbage, learn nothing.
  const otherId = loopbackClientId('http://127.0.0.1/other-callback', 'atproto')
  expect((await client.post('/oauth/introspect', { token: tokens.access_token, client_id: otherId })).body).toEqual({ active: false })
  expect((await client.post('/oauth/introspect', { token: 'not-a-token', client_id: clientId })).body).toEqual({ active: false })
  // A missing token parameter is a request error, as at revocation.
  const missing = await client.post('/oauth/introspect', { client_id: clientId })
  expect(missing.res.status).toBe(400)
  expect(missing.body.error).toBe('invalid_request')

  // Revoked: inactive.
  expect((await client.post('/oauth/revoke', { token: tokens.refresh_token, client_id: clientId })).res.status).toBe(200)
  expect((await client.post('/oauth/introspect', { token: tokens.access_token, client_id: clientId })).body).toEqual({ active: false })
  expect((await client.post('/oauth/introspect', { token: tokens.refresh_token, client_id: clientId })).body).toEqual({ active: false })
})

test('authorizing a client again ends its earlier tokens for that account, not other clients\' nor other accounts\'', async () => {
  const bob = await signUp(server, 'bob')
  const first = await newClient(server)
  const earlier = await login(server, first, { identifier: alice.handle, password: alice.password })
  const otherRedirect = 'http://127.0.0.1/elsewhere'
  const otherClient = await newClient(server)
  const other = await login(server, otherClient, { identifier: alice.handle, password: alice.password, redirectUri: otherRedirect, clientId: loopbackClientId(otherRedirect, 'atproto transition:generic') })
  const bobs = await login(server, await newClient(server), { identifier: bob.handle, password: bob.password })

  const second = await newClient(server)
  const later = await login(server, second, { identifier: alice.handle, password: alice.password })
  expect(later.clientId).toBe(earlier.clientId)

  expect((await first.resource('/xrpc/com.atproto.server.getSession', earlier.tokens.access_token)).status).toBe(401)
  const refreshEarlier = await first.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: earlier.tokens.refresh_token, client_id: earlier.clientId })
  expect(refreshEarlier.body.error).toBe('invalid_grant')
  expect((await second.resource('/xrpc/com.atproto.server.getSession', later.tokens.access_token)).status).toBe(200)
  expect((await otherClient.resource('/xrpc/com.atproto.server.getSession', other.tokens.access_token)).status).toBe(200)
  expect(bobs.tokens.sub).toBe(bob.did)
  expect((await second.post('/oauth/introspect', { token: bobs.tokens.refresh_token, client_id: later.clientId })).body).toMatchObject({ active: true, sub: bob.did })
})
