// ES256K (secp256k1) in OAuth: DPoP proofs at the token endpoint and on resource calls, and private_key_jwt
// client assertions; jose cannot verify these on WebCrypto, the server uses its core crypto.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { newK256Key, signEs256k } from '../oauth/es256k-signer.ts'
import { Browser, csrfOf, dpopProof, HandClient, newK256DpopKey, pkce, sha256 } from '../oauth/hand-client.ts'
import { exchange, getCode, login, REDIRECT, SCOPE, signUp } from '../oauth/flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
const k256Client = async () => new HandClient(server.url, server.config.service.publicUrl, await newK256DpopKey())

beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
})
afterAll(() => server.close())

test('ES256K is advertised for DPoP and client assertions', async () => {
  const as = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, string[]>
  expect(as.dpop_signing_alg_values_supported).toContain('ES256K')
  expect(as.token_endpoint_auth_signing_alg_values_supported).toContain('ES256K')
})

describe('DPoP proofs signed with secp256k1', () => {
  test('are accepted at /oauth/token and on resource requests', async () => {
    const client = await k256Client()
    const { tokens } = await login(server, client, { identifier: alice.handle, password: alice.password })
    expect(tokens.token_type).toBe('DPoP')
    const res = await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { did: string }).did).toBe(alice.did)
  })

  test('a bad signature is rejected at the token endpoint and on a resource request', async () => {
    const client = await k256Client()
    const flow = await getCode(server, client, { identifier: alice.handle, password: alice.password })
    const impostor = newK256Key()
    // The proof embeds the client's public key but is signed by another key.
    const forged = (nonce?: string, extra: Record<string, unknown> = {}, htu = `${client.issuer}/oauth/token`, htm = 'POST') =>
      Promise.resolve(
        signEs256k(impostor.secretKey, { typ: 'dpop+jwt', jwk: client.key.jwk }, { htm, htu, jti: randomBytes(12).toString('hex'), iat: Math.floor(Date.now() / 1000), nonce, ...extra }),
      )
    const form = { grant_type: 'authorization_code', code: flow.code!, code_verifier: flow.verifier, client_id: flow.clientId, redirect_uri: REDIRECT }
    const bad = await client.post('/oauth/token', form, { proof: forged })
    expect(bad.res.status).toBe(401)
    expect(bad.body.error).toBe('invalid_dpop_proof')
    expect(bad.res.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"')
    expect(bad.body.error_description).toContain('signature verification failed')

    const good = await exchange(client, flow.code!, flow.verifier, flow.clientId)
    expect(good.res.status).toBe(200)
    const token = good.body.access_token as string
    const path = '/xrpc/com.atproto.server.getSession'
    const proof = await forged(client.nonce, { ath: sha256(token) }, client.issuer + path, 'GET')
    const res = await fetch(server.url + path, { headers: { authorization: `DPoP ${token}`, dpop: proof } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('invalid_dpop_proof')
    expect(res.headers.get('www-authenticate')).toContain('signature verification failed')
    // A proof signed by the right key still works, so the refusal was the signature.
    const ok = await fetch(server.url + path, {
      headers: { authorization: `DPoP ${token}`, dpop: await dpopProof(client.key, { htm: 'GET', htu: client.issuer + path, nonce: client.nonce, ath: sha256(token) }) },
    })
    expect(ok.status).toBe(200)
  })
})

describe('private_key_jwt with an ES256K key', () => {
  let docs: ReturnType<typeof Bun.serve>
  const clientKey = newK256Key()
  let clientId: string
  const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

  beforeAll(() => {
    docs = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () =>
        Response.json({
          client_id: clientId,
          client_name: 'K256 client',
          redirect_uris: [REDIRECT],
          scope: SCOPE,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256K',
          jwks: { keys: [{ ...clientKey.jwk, kid: 'k256', use: 'sig', alg: 'ES256K' }] },
          application_type: 'web',
          dpop_bound_access_tokens: true,
        }),
    })
    clientId = `http://127.0.0.1:${docs.port}/client.json`
  })
  afterAll(() => docs.stop(true))

  const assertion = (secretKey = clientKey.secretKey, claims: Record<string, unknown> = {}) => {
    const iat = Math.floor(Date.now() / 1000)
    const payload = { iss: clientId, sub: clientId, aud: server.config.service.publicUrl, jti: randomBytes(12).toString('hex'), iat, exp: iat + 60, ...claims }
    return signEs256k(secretKey, { kid: 'k256' }, payload)
  }

  test('authenticates at PAR and token; a wrongly signed or misaddressed assertion is refused', async () => {
    const client = await k256Client()
    const { verifier, challenge } = pkce()
    const base = { client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, client_assertion_type: JWT_BEARER }
    const forged = await client.par({ ...base, code_challenge: pkce().challenge, client_assertion: assertion(newK256Key().secretKey) })
    expect(forged.body).toMatchObject({ error: 'invalid_client' })
    expect(forged.body.error_description).toContain('signature verification failed')
    const wrongAud = await client.par({ ...base, code_challenge: pkce().challenge, client_assertion: assertion(undefined, { aud: 'https://elsewhere.example' }) })
    expect(wrongAud.body.error).toBe('invalid_client')

    const par = await client.par({ ...base, code_challenge: challenge, client_assertion: assertion() })
    expect(par.res.status).toBe(201)
    const browser = new Browser(server.url)
    const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    const consent = await browser.post('/oauth/authorize/sign-in', { request_uri: par.body.request_uri, csrf_token: csrfOf(page.html), identifier: alice.handle, password: alice.password })
    const done = await browser.post('/oauth/authorize/accept', { request_uri: par.body.request_uri, csrf_token: csrfOf(consent.html), did: alice.did })
    const code = new URL(done.res.headers.get('location')!).searchParams.get('code')!
    const token = await client.post('/oauth/token', {
      grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT,
      client_assertion_type: JWT_BEARER, client_assertion: assertion(),
    })
    expect(token.res.status).toBe(200)
    expect(token.body.refresh_token).toBeString()
  })
})
