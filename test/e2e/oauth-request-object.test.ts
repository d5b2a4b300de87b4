// Request objects (RFC 9101) pushed to PAR, checked as the reference does: signed by a registered client
// key (iss, aud, iat within 59 s, single-use jti), or unsigned only for clients registering alg "none".
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as jose from 'jose'
import { randomBytes } from 'node:crypto'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { newK256Key, signEs256k } from '../oauth/es256k-signer.ts'
import { Browser, csrfOf, HandClient, loopbackClientId, newDpopKey, pkce } from '../oauth/hand-client.ts'
import { REDIRECT, SCOPE, signUp } from '../oauth/flow.ts'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
let docs: ReturnType<typeof Bun.serve>
let issuer: string
let confidentialId: string
let unsignedId: string
let k256Id: string
const k256Key = newK256Key()
let clientKey: CryptoKey
let otherKey: CryptoKey

const nowSec = () => Math.floor(Date.now() / 1000)
const jti = () => randomBytes(12).toString('hex')

beforeAll(async () => {
  server = await startTestServer()
  issuer = server.config.service.publicUrl
  alice = await signUp(server, 'alice')
  const pair = await jose.generateKeyPair('ES256', { extractable: true })
  clientKey = pair.privateKey as CryptoKey
  otherKey = (await jose.generateKeyPair('ES256')).privateKey as CryptoKey
  const publicJwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', use: 'sig', alg: 'ES256' }
  const base = { redirect_uris: [REDIRECT], scope: SCOPE, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], application_type: 'web', dpop_bound_access_tokens: true }
  docs = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => {
      const path = new URL(req.url).pathname
      if (path === '/confidential.json') {
        return Response.json({ ...base, client_id: confidentialId, client_name: 'JAR client', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [publicJwk] } })
      }
      if (path === '/k256.json') {
        const jwk = { ...k256Key.jwk, kid: 'k256', use: 'sig', alg: 'ES256K' }
        return Response.json({ ...base, client_id: k256Id, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256K', jwks: { keys: [jwk] } })
      }
      return Response.json({ ...base, client_id: unsignedId, client_name: 'Unsigned JAR client', token_endpoint_auth_method: 'none', request_object_signing_alg: 'none' })
    },
  })
  confidentialId = `http://127.0.0.1:${docs.port}/confidential.json`
  unsignedId = `http://127.0.0.1:${docs.port}/unsigned.json`
  k256Id = `http://127.0.0.1:${docs.port}/k256.json`
})
afterAll(() => {
  docs.stop(true)
  server.close()
})

/** A client that already holds a DPoP nonce: a nonce retry would replay its single-use client assertion. */
async function newClient() {
  const client = new HandClient(server.url, issuer, await newDpopKey())
  client.nonce = (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).headers.get('dpop-nonce')!
  return client
}

/** A client assertion for the confidential client (a fresh jti each time). */
const assertion = () =>
  new jose.SignJWT({ jti: jti() }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(confidentialId).setSubject(confidentialId).setAudience(issuer).setIssuedAt().setExpirationTime('60s').sign(clientKey)

/** The authorization parameters as request object claims. */
function requestClaims(clientId: string, challenge: string, extra: Record<string, unknown> = {}) {
  return { iss: clientId, aud: issuer, iat: nowSec(), exp: nowSec() + 50, jti: jti(), client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: SCOPE, code_challenge: challenge, code_challenge_method: 'S256', state: 'jar-state', ...extra }
}

const signed = (claims: Record<string, unknown>, key = clientKey, kid = 'k1') => new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(key)
const unsigned = (claims: Record<string, unknown>) => new jose.UnsecuredJWT(claims).encode()

/** PAR with only client credentials and the request object: nothing else is read from the form. */
async function parConfidential(client: HandClient, request: string) {
  return client.post('/oauth/par', { client_id: confidentialId, client_assertion_type: JWT_BEARER, client_assertion: await assertion(), request })
}

/** authorize page → sign in → consent → the redirect back to the client. */
async function authorize(clientId: string, requestUri: string) {
  const browser = new Browser(server.url)
  const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(requestUri)}`)
  expect(page.res.status).toBe(200)
  const consent = await browser.post('/oauth/authorize/sign-in', { request_uri: requestUri, csrf_token: csrfOf(page.html), identifier: alice.handle, password: alice.password })
  const done = await browser.post('/oauth/authorize/accept', { request_uri: requestUri, csrf_token: csrfOf(consent.html), did: alice.did })
  expect(done.res.status).toBe(303)
  return new URL(done.res.headers.get('location')!)
}

test('metadata advertises request objects as the reference does', async () => {
  const as: any = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()
  expect(as.request_parameter_supported).toBe(true)
  expect(as.request_uri_parameter_supported).toBe(true)
  expect(as.require_request_uri_registration).toBe(true)
  expect(as.request_object_signing_alg_values_supported).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES256K', 'ES384', 'ES512', 'none'])
  expect(as.request_object_encryption_alg_values_supported).toEqual([])
  expect(as.request_object_encryption_enc_values_supported).toEqual([])
  expect(as.display_values_supported).toEqual(['page', 'popup', 'touch'])
})

describe('signed request objects (confidential client, ES256)', () => {
  test('PAR → authorize → token with the parameters from the request object', async () => {
    const client = await newClient()
    const { verifier, challenge } = pkce()
    const par = await parConfidential(client, await signed(requestClaims(confidentialId, challenge)))
    expect(par.res.status).toBe(201)
    expect(par.body.request_uri).toStartWith('urn:ietf:params:oauth:request_uri:')
    const location = await authorize(confidentialId, par.body.request_uri)
    expect(location.searchParams.get('state')).toBe('jar-state')
    const code = location.searchParams.get('code')!
    const token = await client.post('/oauth/token', {
      grant_type: 'authorization_code', code, code_verifier: verifier, client_id: confidentialId, redirect_uri: REDIRECT,
      client_assertion_type: JWT_BEARER, client_assertion: await assertion(),
    })
    expect(token.res.status).toBe(200)
    expect(token.body).toMatchObject({ token_type: 'DPoP', sub: alice.did, scope: SCOPE })
  })

  test('the request object is the whole request: parameters beside it are not merged in', async () => {
    const client = await newClient()
    const { challenge } = pkce()
    const claims: Record<string, unknown> = requestClaims(confidentialId, challenge)
    delete claims.code_challenge
    const res = await client.post('/oauth/par', {
      client_id: confidentialId, client_assertion_type: JWT_BEARER, client_assertion: await assertion(),
      request: await signed(claims), code_challenge: challenge,
    })
    expect(res.body).toMatchObject({ error: 'invalid_request', error_description: 'A valid S256 code_challenge is required' })
  })

  const refusals: [string, () => Promise<string>, string][] = [
    ['signed by another key', () => signed(requestClaims(confidentialId, pkce().challenge), otherKey), 'signature verification failed'],
    ['addressed to another server', () => signed(requestClaims(confidentialId, pkce().challenge, { aud: 'https://elsewhere.example' })), 'unexpected "aud" claim value'],
    ['issued by someone else', () => signed(requestClaims(confidentialId, pkce().challenge, { iss: 'https://elsewhere.example/client.json' })), 'unexpected "iss" claim value'],
    ['expired', () => signed(requestClaims(confidentialId, pkce().challenge, { iat: nowSec() - 30, exp: nowSec() - 5 })), '"exp" claim timestamp check failed'],
    ['issued more than 59 seconds ago', () => signed(requestClaims(confidentialId, pkce().challenge, { iat: nowSec() - 120, exp: undefined })), '"iat" claim timestamp check failed'],
    ['without iat', () => signed(requestClaims(confidentialId, pkce().challenge, { iat: undefined })), '"iat" claim'],
    ['unsigned (the client did not register alg "none")', () => Promise.resolve(unsigned(requestClaims(confidentialId, pkce().challenge))), 'Invalid "request" object'],
  ]
  for (const [what, make, message] of refusals) {
    test(`a request object ${what} is refused`, async () => {
      const res = await parConfidential(await newClient(), await make())
      expect(res.res.status).toBe(400)
      expect(res.body.error).toBe('invalid_request')
      expect(res.body.error_description).toStartWith('Invalid "request" object: ')
      expect(res.body.error_description).toContain(message)
    })
  }

  test('a replayed jti is refused', async () => {
    const client = await newClient()
    const jar = await signed(requestClaims(confidentialId, pkce().challenge))
    expect((await parConfidential(client, jar)).res.status).toBe(201)
    const again = await parConfidential(client, jar)
    expect(again.body).toEqual({ error: 'invalid_request', error_description: 'Request object was replayed' })
  })

  test('a request object without jti is refused', async () => {
    const res = await parConfidential(await newClient(), await signed(requestClaims(confidentialId, pkce().challenge, { jti: undefined })))
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'Request object payload must contain a "jti" claim' })
  })

  test('client_id inside must be the authenticated client', async () => {
    const res = await parConfidential(await newClient(), await signed(requestClaims(confidentialId, pkce().challenge, { client_id: unsignedId })))
    expect(res.body.error).toBe('invalid_request')
    expect(res.body.error_description).toContain('client_id')
  })

  test('request and request_uri together are refused', async () => {
    const client = await newClient()
    const res = await client.post('/oauth/par', {
      client_id: confidentialId, client_assertion_type: JWT_BEARER, client_assertion: await assertion(),
      request: await signed(requestClaims(confidentialId, pkce().challenge)), request_uri: 'urn:ietf:params:oauth:request_uri:req-x',
    })
    expect(res.body.error).toBe('invalid_request')
  })
})

test('an ES256K request object from an ES256K client is verified with its key', async () => {
  const client = await newClient()
  const clientAssertion = signEs256k(k256Key.secretKey, { kid: 'k256' }, { iss: k256Id, sub: k256Id, aud: issuer, jti: jti(), iat: nowSec() })
  const good = signEs256k(k256Key.secretKey, { kid: 'k256' }, requestClaims(k256Id, pkce().challenge))
  const ok = await client.post('/oauth/par', { client_id: k256Id, client_assertion_type: JWT_BEARER, client_assertion: clientAssertion, request: good })
  expect(ok.res.status).toBe(201)
  const forged = signEs256k(newK256Key().secretKey, { kid: 'k256' }, requestClaims(k256Id, pkce().challenge))
  const assertion2 = signEs256k(k256Key.secretKey, { kid: 'k256' }, { iss: k256Id, sub: k256Id, aud: issuer, jti: jti(), iat: nowSec() })
  const bad = await client.post('/oauth/par', { client_id: k256Id, client_assertion_type: JWT_BEARER, client_assertion: assertion2, request: forged })
  expect(bad.body.error).toBe('invalid_request')
  expect(bad.body.error_description).toContain('signature verification failed')
})

describe('unsigned request objects (alg "none")', () => {
  test('accepted end to end for a client that registered request_object_signing_alg "none"', async () => {
    const client = await newClient()
    const { verifier, challenge } = pkce()
    // iss and aud may be left out of an unsigned request object, as in the reference.
    const claims: Record<string, unknown> = requestClaims(unsignedId, challenge)
    delete claims.iss
    delete claims.aud
    const par = await client.post('/oauth/par', { client_id: unsignedId, request: unsigned(claims) })
    expect(par.res.status).toBe(201)
    const location = await authorize(unsignedId, par.body.request_uri)
    const token = await client.post('/oauth/token', { grant_type: 'authorization_code', code: location.searchParams.get('code')!, code_verifier: verifier, client_id: unsignedId, redirect_uri: REDIRECT })
    expect(token.res.status).toBe(200)
    expect(token.body.sub).toBe(alice.did)
  })

  test('for that client, a wrong iss or aud, an old iat or a signed object are still refused', async () => {
    const client = await newClient()
    const cases = [
      unsigned(requestClaims(unsignedId, pkce().challenge, { iss: confidentialId })),
      unsigned(requestClaims(unsignedId, pkce().challenge, { aud: 'https://elsewhere.example' })),
      unsigned(requestClaims(unsignedId, pkce().challenge, { iat: nowSec() - 120, exp: undefined })),
      await signed(requestClaims(unsignedId, pkce().challenge)),
    ]
    for (const request of cases) {
      const res = await client.post('/oauth/par', { client_id: unsignedId, request })
      expect(res.body.error).toBe('invalid_request')
      expect(res.body.error_description).toStartWith('Invalid "request" object: ')
    }
  })

  test('refused for a client that did not register "none" (the loopback client)', async () => {
    const client = await newClient()
    const clientId = loopbackClientId(REDIRECT, SCOPE)
    const res = await client.post('/oauth/par', { client_id: clientId, request: unsigned(requestClaims(clientId, pkce().challenge)) })
    expect(res.body.error).toBe('invalid_request')
    expect(res.body.error_description).toStartWith('Invalid "request" object: ')
  })
})
