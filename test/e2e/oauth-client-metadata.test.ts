// OAuth clients described by a metadata document (served on loopback: tests run in dev mode), public and
// confidential (private_key_jwt), and documents the server must refuse.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as jose from 'jose'
import { randomBytes } from 'node:crypto'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { Browser, csrfOf, pkce } from '../oauth/hand-client.ts'
import { exchange, getCode, newClient, REDIRECT, SCOPE, signUp } from '../oauth/flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
let docs: ReturnType<typeof Bun.serve>
const routes = new Map<string, () => Response>()
const docUrl = (name: string) => `http://127.0.0.1:${docs.port}/${name}.json`
const serveDoc = (name: string, body: (id: string) => Record<string, unknown>) => {
  routes.set(`/${name}.json`, () => Response.json(body(docUrl(name))))
  return docUrl(name)
}
const baseDoc = (id: string) => ({
  client_id: id,
  client_name: '<b>Evil</b> & Co',
  redirect_uris: [REDIRECT],
  scope: SCOPE,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  application_type: 'web',
  dpop_bound_access_tokens: true,
})

beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
  docs = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => routes.get(new URL(req.url).pathname)?.() ?? new Response('no', { status: 404 }) })
})
afterAll(async () => {
  docs.stop(true)
  await server.close()
})

describe('client metadata documents', () => {
  test('a public web client: full flow, and its name is shown escaped', async () => {
    const clientId = serveDoc('public', baseDoc)
    const client = await newClient(server)
    const par = await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge })
    expect(par.res.status).toBe(201)
    const page = await new Browser(server.url).get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    expect(page.html).toContain('&#60;b&#62;Evil&#60;/b&#62; &#38; Co')
    expect(page.html).not.toContain('<b>Evil</b>')
    const flow = await getCode(server, client, { clientId, identifier: alice.handle, password: alice.password })
    const token = await exchange(client, flow.code!, flow.verifier, clientId)
    expect(token.res.status).toBe(200)
  })

  test('invalid documents are refused', async () => {
    const client = await newClient(server)
    const tryPar = async (clientId: string) =>
      (await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge })).body
    const mismatch = serveDoc('mismatch', (id) => ({ ...baseDoc(id), client_id: id + '?x' }))
    expect(await tryPar(mismatch)).toMatchObject({ error: 'invalid_client_metadata' })
    const noDpop = serveDoc('nodpop', (id) => ({ ...baseDoc(id), dpop_bound_access_tokens: false }))
    expect(await tryPar(noDpop)).toMatchObject({ error: 'invalid_client_metadata' })
    routes.set('/redirect.json', () => new Response(null, { status: 302, headers: { location: docUrl('public') } }))
    expect((await tryPar(docUrl('redirect'))).error_description).toContain('Redirects are not followed')
    routes.set('/huge.json', () => Response.json({ ...baseDoc(docUrl('huge')), pad: 'x'.repeat(100_000) }))
    expect((await tryPar(docUrl('huge'))).error_description).toContain('too large')
    expect((await tryPar(docUrl('missing'))).error).toBe('invalid_client_metadata')
  })
})

describe('private_key_jwt (confidential client)', () => {
  let clientId: string
  let privateKey: CryptoKey

  beforeAll(async () => {
    const pair = await jose.generateKeyPair('ES256', { extractable: true })
    privateKey = pair.privateKey as CryptoKey
    const jwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    clientId = serveDoc('confidential', (id) => ({
      ...baseDoc(id),
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [jwk] },
    }))
  })

  const assertion = (jti = randomBytes(12).toString('hex')) =>
    new jose.SignJWT({ jti })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(server.config.service.publicUrl)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey)
  const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

  test('authenticates at PAR and token; a replayed or missing assertion is refused', async () => {
    const client = await newClient(server)
    const missing = await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge })
    expect(missing.res.status).toBe(400)
    expect(missing.body.error).toBe('invalid_client')

    const { verifier, challenge } = pkce()
    const par = await client.par({ client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: challenge, client_assertion_type: JWT_BEARER, client_assertion: await assertion() })
    expect(par.res.status).toBe(201)
    const browser = new Browser(server.url)
    const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    const consent = await browser.post('/oauth/authorize/sign-in', { request_uri: par.body.request_uri, csrf_token: csrfOf(page.html), identifier: alice.handle, password: alice.password })
    const done = await browser.post('/oauth/authorize/accept', { request_uri: par.body.request_uri, csrf_token: csrfOf(consent.html), did: alice.did })
    const code = new URL(done.res.headers.get('location')!).searchParams.get('code')!

    const used = await assertion()
    const token = await client.post('/oauth/token', {
      grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT,
      client_assertion_type: JWT_BEARER, client_assertion: used,
    })
    expect(token.res.status).toBe(200)
    const replay = await client.post('/oauth/token', {
      grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: clientId, client_assertion_type: JWT_BEARER, client_assertion: used,
    })
    // The reference answers a replayed assertion with invalid_grant ("private_key_jwt jti reused").
    expect(replay.body).toMatchObject({ error: 'invalid_grant', error_description: 'private_key_jwt jti reused' })
    const refreshed = await client.post('/oauth/token', {
      grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: clientId, client_assertion_type: JWT_BEARER, client_assertion: await assertion(),
    })
    expect(refreshed.res.status).toBe(200)
  })
})
