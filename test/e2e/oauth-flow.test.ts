// OAuth end to end, driven by hand (PAR, PKCE, DPoP with nonces, pages) against the real server.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { Browser, csrfOf, loopbackClientId, pkce } from '../oauth/hand-client.ts'
import { exchange, getCode, login, newClient, REDIRECT, SCOPE, signUp } from '../oauth/flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>

beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
})
afterAll(() => server.close())

describe('discovery', () => {
  test('protected resource and authorization server metadata', async () => {
    const issuer = server.config.service.publicUrl
    const pr: any = await (await fetch(`${server.url}/.well-known/oauth-protected-resource`)).json()
    expect(pr).toMatchObject({ resource: issuer, authorization_servers: [issuer], bearer_methods_supported: ['header'] })
    const as: any = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()
    expect(as).toMatchObject({
      issuer,
      require_pushed_authorization_requests: true,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
      client_id_metadata_document_supported: true,
      pushed_authorization_request_endpoint: `${issuer}/oauth/par`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      jwks_uri: `${issuer}/oauth/jwks`,
    })
    expect(as.scopes_supported).toEqual(['atproto', 'transition:email', 'transition:generic', 'transition:chat.bsky'])
    expect(as.dpop_signing_alg_values_supported).toContain('ES256')
    expect(await (await fetch(`${server.url}/oauth/jwks`)).json()).toEqual({ keys: [] })
  })
})

describe('authorization code flow', () => {
  test('sign in, consent, tokens bound to the DPoP key, then a resource call', async () => {
    const client = await newClient(server)
    const flow = await getCode(server, client, { identifier: alice.handle, password: alice.password })
    expect(flow.location.origin + flow.location.pathname).toBe(REDIRECT)
    expect(flow.location.searchParams.get('state')).toBe('st-1')
    expect(flow.location.searchParams.get('iss')).toBe(server.config.service.publicUrl)
    const token = await exchange(client, flow.code!, flow.verifier, flow.clientId)
    expect(token.res.status).toBe(200)
    expect(token.body).toMatchObject({ token_type: 'DPoP', expires_in: 3600, scope: SCOPE, sub: alice.did })
    expect(token.body.refresh_token).toStartWith('ref-')
    const res = await client.resource('/xrpc/com.atproto.server.getSession', token.body.access_token)
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).did).toBe(alice.did)
  })

  test('the consent page says in plain words what each scope allows', async () => {
    const client = await newClient(server)
    const scope = 'atproto repo:app.bsky.feed.post?action=create blob:image/* transition:email'
    const clientId = loopbackClientId(REDIRECT, scope)
    const { challenge } = pkce()
    const par = await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope, code_challenge: challenge })
    expect(par.res.status).toBe(201)
    const browser = new Browser(server.url)
    const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    expect(page.res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const consent = await browser.post('/oauth/authorize/sign-in', {
      request_uri: par.body.request_uri,
      csrf_token: csrfOf(page.html),
      identifier: alice.handle,
      password: alice.password,
    })
    expect(consent.res.status).toBe(200)
    expect(consent.html).toContain('Create records of type app.bsky.feed.post in your repository.')
    expect(consent.html).toContain('Upload files of type image/*.')
    expect(consent.html).toContain('See your email address.')
    expect(consent.html).toContain('@alice.test')
  })

  test('a remembered account is offered in the chooser; consent is not asked twice', async () => {
    const client = await newClient(server)
    const first = await getCode(server, client, { identifier: alice.handle, password: alice.password })
    const { challenge } = pkce()
    const par = await client.par({ client_id: first.clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: challenge })
    const page = await first.browser.get(`/oauth/authorize?client_id=${encodeURIComponent(first.clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    expect(page.html).toContain('Choose an account')
    const chosen = await first.browser.post('/oauth/authorize/select', { request_uri: par.body.request_uri, csrf_token: csrfOf(page.html), did: alice.did })
    expect(chosen.res.status).toBe(303)
    expect(new URL(chosen.res.headers.get('location')!).searchParams.get('code')).toStartWith('cod-')
  })

  test('login_hint pre-fills the sign-in form', async () => {
    const client = await newClient(server)
    const clientId = loopbackClientId(REDIRECT, SCOPE)
    const par = await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge, login_hint: alice.handle })
    const page = await new Browser(server.url).get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    expect(page.html).toContain(`value="${alice.handle}"`)
  })

  test('prompt=create shows the sign-in form with a sign-up notice, even with a remembered account', async () => {
    const client = await newClient(server)
    const first = await getCode(server, client, { identifier: alice.handle, password: alice.password })
    const par = await client.par({ client_id: first.clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge, prompt: 'create' })
    expect(par.res.status).toBe(201)
    const page = await first.browser.get(`/oauth/authorize?client_id=${encodeURIComponent(first.clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    expect(page.res.status).toBe(200)
    expect(page.html).not.toContain('Choose an account')
    expect(page.html).toContain('Creating an account is not available on this page')
    expect(page.html).toContain('name="password"')
    const signedIn = await first.browser.post('/oauth/authorize/sign-in', {
      request_uri: par.body.request_uri, csrf_token: csrfOf(page.html), identifier: alice.handle, password: alice.password,
    })
    expect(signedIn.res.status).toBe(303)
  })

  test('refresh rotates the refresh token and ends the old access token', async () => {
    const client = await newClient(server)
    const { tokens, clientId } = await login(server, client, { identifier: alice.handle, password: alice.password })
    const refreshed = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId })
    expect(refreshed.res.status).toBe(200)
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token)
    expect((await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)).status).toBe(401)
    expect((await client.resource('/xrpc/com.atproto.server.getSession', refreshed.body.access_token)).status).toBe(200)
  })

  test('revocation ends the session', async () => {
    const client = await newClient(server)
    const { tokens, clientId } = await login(server, client, { identifier: alice.handle, password: alice.password })
    const revoked = await client.post('/oauth/revoke', { token: tokens.refresh_token, client_id: clientId })
    expect(revoked.res.status).toBe(200)
    expect((await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)).status).toBe(401)
    const again = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId })
    expect(again.body.error).toBe('invalid_grant')
  })

  test('revokeAllOAuthSessions ends every session of an account', async () => {
    const client = await newClient(server)
    const { tokens } = await login(server, client, { identifier: alice.handle, password: alice.password })
    expect(server.services.oauth!.revokeAllOAuthSessions(alice.did)).toBeGreaterThan(0)
    expect((await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)).status).toBe(401)
  })

  test('deactivating an account ends its OAuth sessions', async () => {
    const bob = await signUp(server, 'bob')
    const client = await newClient(server)
    const { tokens } = await login(server, client, { identifier: bob.handle, password: bob.password })
    const post = { repo: bob.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text: 'hi', createdAt: new Date().toISOString() } }
    expect((await client.resource('/xrpc/com.atproto.repo.createRecord', tokens.access_token, { method: 'POST', body: post })).status).toBe(200)
    await bob.agent.com.atproto.server.deactivateAccount({})
    const res = await client.resource('/xrpc/com.atproto.repo.createRecord', tokens.access_token, { method: 'POST', body: post })
    expect(res.status).toBe(401)
    expect(((await res.json()) as any).error).toBe('InvalidToken')
  })
})
