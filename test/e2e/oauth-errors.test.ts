// OAuth: every bad input gets its RFC 6749 / RFC 9449 error.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { DpopNonces, VERIFY_ALGOS } from '../../src/services/oauth/dpop.ts'
import { hmac } from '../../src/services/oauth/util.ts'
import { Browser, csrfOf, dpopProof, loopbackClientId, newDpopKey, pkce, sha256 } from '../oauth/hand-client.ts'
import { exchange, getCode, login, newClient, REDIRECT, SCOPE, signUp } from '../oauth/flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
const creds = () => ({ identifier: alice.handle, password: alice.password })
const CLIENT_ID = loopbackClientId(REDIRECT, SCOPE)

beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
})
afterAll(() => server.close())

describe('PAR', () => {
  // The reference's codes (@atproto/oauth-provider client-manager): a document URL on a local-only name is
  // invalid_client_id; anything else that is not a usable client id or document is invalid_client_metadata.
  test('client ids: local-only names are invalid_client_id, unusable ids and documents invalid_client_metadata', async () => {
    const client = await newClient(server)
    const par = (client_id: string) => client.par({ client_id, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge })
    for (const id of ['https://client.invalid/metadata.json', 'https://app.test/client.json', 'https://intranet/client.json']) {
      const r = await par(id)
      expect({ id, status: r.res.status, error: r.body.error }).toEqual({ id, status: 400, error: 'invalid_client_id' })
    }
    for (const id of ['not a url', 'ftp://example.com/client.json', 'https://example.com/client.json#frag', 'http://localhost:8080/']) {
      const r = await par(id)
      expect({ id, status: r.res.status, error: r.body.error }).toEqual({ id, status: 400, error: 'invalid_client_metadata' })
    }
    const unreachable = await par('http://127.0.0.1:1/client.json') // dev mode fetches http documents
    expect(unreachable.res.status).toBe(400)
    expect(unreachable.body.error).toBe('invalid_client_metadata')
    expect(unreachable.body.error_description).toContain('Unable to obtain client metadata')
  })

  test('a public client that sends client credentials fails client authentication: 400 invalid_client', async () => {
    const client = await newClient(server)
    const r = await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'x.y.z' })
    expect(r.res.status).toBe(400)
    expect(r.body.error).toBe('invalid_client')
  })

  test('response types: another known one is unsupported_response_type, an unknown one invalid_request', async () => {
    const client = await newClient(server)
    const base = { client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge }
    const token = await client.post('/oauth/par', { ...base, response_type: 'token', code_challenge_method: 'S256' })
    expect(token.res.status).toBe(400)
    expect(token.body).toEqual({ error: 'unsupported_response_type', error_description: 'Unsupported response_type "token"' })
    const bogus = await client.post('/oauth/par', { ...base, response_type: 'bogus', code_challenge_method: 'S256' })
    expect(bogus.res.status).toBe(400)
    expect(bogus.body.error).toBe('invalid_request')
  })

  test('a bad DPoP proof at PAR is 401 invalid_dpop_proof with a DPoP challenge; a proof for another key than dpop_jkt is 401 invalid_token', async () => {
    const client = await newClient(server)
    const base = { client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge }
    await client.par({ ...base }) // learn the nonce
    const bad = await client.post('/oauth/par', { ...base, response_type: 'code', code_challenge_method: 'S256', code_challenge: pkce().challenge }, {
      proof: (n) => dpopProof(client.key, { htm: 'POST', htu: server.config.service.publicUrl + '/oauth/token', nonce: n }),
    })
    expect(bad.res.status).toBe(401)
    expect(bad.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'DPoP htu mismatch' })
    expect(bad.res.headers.get('www-authenticate')).toBe(`DPoP algs="${VERIFY_ALGOS.join(' ')}", error="invalid_dpop_proof", error_description="DPoP htu mismatch"`)
    const other = await newDpopKey()
    const binding = await client.par({ ...base, code_challenge: pkce().challenge, dpop_jkt: other.jkt })
    expect(binding.res.status).toBe(401)
    expect(binding.body).toEqual({ error: 'invalid_token', error_description: 'Invalid DPoP key binding' })
  })

  test('redirect_uri not registered', async () => {
    const client = await newClient(server)
    const r = await client.par({ client_id: CLIENT_ID, redirect_uri: 'http://127.0.0.1/elsewhere', scope: SCOPE, code_challenge: pkce().challenge })
    expect(r.res.status).toBe(400)
    expect(r.body).toMatchObject({ error: 'invalid_request', error_description: 'redirect_uri is not registered for this client' })
  })

  test('scope escalation beyond what the client registered', async () => {
    const client = await newClient(server)
    const r = await client.par({ client_id: loopbackClientId(REDIRECT, 'atproto'), redirect_uri: REDIRECT, scope: 'atproto transition:generic', code_challenge: pkce().challenge })
    expect(r.body.error).toBe('invalid_scope')
    const noAtproto = await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: 'transition:generic', code_challenge: pkce().challenge })
    expect(noAtproto.body.error).toBe('invalid_scope')
  })

  test('PKCE must be S256, and a challenge is single use', async () => {
    const client = await newClient(server)
    const plain = await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge, code_challenge_method: 'plain' })
    expect(plain.body.error).toBe('invalid_request')
    const missing = await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE })
    expect(missing.body.error).toBe('invalid_request')
    const { challenge } = pkce()
    expect((await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: challenge })).res.status).toBe(201)
    const again = await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: challenge })
    expect(again.body).toMatchObject({ error: 'invalid_request', error_description: 'Code challenge already used' })
  })

  test('the authorize endpoint only accepts pushed requests', async () => {
    const page = await new Browser(server.url).get(`/oauth/authorize?client_id=${encodeURIComponent(CLIENT_ID)}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code`)
    expect(page.res.status).toBe(400)
    const unknown = await new Browser(server.url).get(`/oauth/authorize?client_id=${encodeURIComponent(CLIENT_ID)}&request_uri=urn:ietf:params:oauth:request_uri:req-nope`)
    expect(unknown.res.status).toBe(400)
  })
})

describe('authorize pages', () => {
  async function start(extra: Record<string, string> = {}) {
    const client = await newClient(server)
    const par = await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge, ...extra })
    const browser = new Browser(server.url)
    const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(CLIENT_ID)}&request_uri=${encodeURIComponent(par.body.request_uri)}`)
    return { browser, requestUri: par.body.request_uri as string, csrf: csrfOf(page.html) }
  }

  test('wrong password shows the form again with an error', async () => {
    const { browser, requestUri, csrf } = await start()
    const r = await browser.post('/oauth/authorize/sign-in', { request_uri: requestUri, csrf_token: csrf, identifier: alice.handle, password: 'nope' })
    expect(r.res.status).toBe(401)
    expect(r.html).toContain('Wrong handle or password.')
  })

  test('CSRF: a missing token, another browser, or a cross-site origin are refused', async () => {
    const { browser, requestUri, csrf } = await start()
    const form = { request_uri: requestUri, identifier: alice.handle, password: alice.password }
    expect((await browser.post('/oauth/authorize/sign-in', { ...form, csrf_token: 'forged' })).res.status).toBe(403)
    expect((await new Browser(server.url).post('/oauth/authorize/sign-in', { ...form, csrf_token: csrf })).res.status).toBe(403)
    expect((await browser.post('/oauth/authorize/sign-in', { ...form, csrf_token: csrf }, { origin: 'https://evil.example' })).res.status).toBe(403)
  })

  test('accepting without signing in is refused; denying redirects with access_denied', async () => {
    const { browser, requestUri, csrf } = await start()
    expect((await browser.post('/oauth/authorize/accept', { request_uri: requestUri, csrf_token: csrf, did: alice.did })).res.status).toBe(403)
    const denied = await browser.post('/oauth/authorize/reject', { request_uri: requestUri, csrf_token: csrf })
    expect(denied.res.status).toBe(303)
    const loc = new URL(denied.res.headers.get('location')!)
    expect(loc.searchParams.get('error')).toBe('access_denied')
    expect(loc.searchParams.get('iss')).toBe(server.config.service.publicUrl)
  })

  test('junk in every field of every authorize form, signed in or not, for a real request or none, is a page, never a failure', async () => {
    const forms = ['sign-in', 'passkey-options', 'passkey', 'select', 'accept', 'reject']
    const fields = ['identifier', 'password', 'code', 'did', 'remember', 'credential', 'response', 'client_id', 'prompt', 'next']
    const junk = ['', 'a'.repeat(5000), '\u0000', '<script>x</script>', '//evil.example', '-1', '99999999999999999999', alice.did]
    const failures: string[] = []
    for (const value of junk) {
      for (const signedIn of [false, true]) {
        // Signed in: the account is remembered and the request waits at its consent page (asked for, as
        // earlier tests may have given this client consent already).
        const { browser, requestUri, csrf } = await start({ prompt: 'consent' })
        if (signedIn) expect((await browser.post('/oauth/authorize/sign-in', { request_uri: requestUri, csrf_token: csrf, ...creds(), remember: '1' })).res.status).toBe(200)
        const filled = Object.fromEntries(fields.map((f) => [f, value]))
        const page = await browser.get(`/oauth/authorize?${new URLSearchParams({ client_id: value, request_uri: value, prompt: value })}`)
        if (page.res.status >= 500) failures.push(`GET authorize ${JSON.stringify(value).slice(0, 20)} -> ${page.res.status}`)
        for (const form of forms) {
          for (const request_uri of [value, requestUri]) {
            const r = await browser.post(`/oauth/authorize/${form}`, { ...filled, request_uri, csrf_token: csrf })
            const what = `${form} ${JSON.stringify(value).slice(0, 20)} ${signedIn ? 'signed in' : 'signed out'}, ${request_uri === value ? 'junk' : 'real'} request`
            if (r.res.status >= 500) failures.push(`${what} -> ${r.res.status} ${r.html.slice(0, 120)}`)
          }
        }
      }
    }
    expect(failures).toEqual([])
  }, 30_000)

  test('a login_hint that is neither a handle nor a DID is refused at PAR', async () => {
    const client = await newClient(server)
    const par = await client.par({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, code_challenge: pkce().challenge, login_hint: '<script>x</script>' })
    expect(par.body.error).toBe('invalid_request')
  })
})

describe('token endpoint', () => {
  test('wrong PKCE verifier', async () => {
    const client = await newClient(server)
    const flow = await getCode(server, client, creds())
    const r = await exchange(client, flow.code!, pkce().verifier, flow.clientId)
    expect(r.body).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid code_verifier' })
  })

  test('a reused code is refused and revokes the tokens it gave', async () => {
    const client = await newClient(server)
    const flow = await getCode(server, client, creds())
    const first = await exchange(client, flow.code!, flow.verifier, flow.clientId)
    expect(first.res.status).toBe(200)
    const second = await exchange(client, flow.code!, flow.verifier, flow.clientId)
    expect(second.body).toMatchObject({ error: 'invalid_grant', error_description: 'Code replayed' })
    expect((await client.resource('/xrpc/com.atproto.server.getSession', first.body.access_token)).status).toBe(401)
  })

  test('redirect_uri must match the authorization request', async () => {
    const client = await newClient(server)
    const flow = await getCode(server, client, creds())
    const r = await exchange(client, flow.code!, flow.verifier, flow.clientId, 'http://127.0.0.1/other')
    expect(r.body.error).toBe('invalid_grant')
  })

  test('a code used by another client is refused', async () => {
    const client = await newClient(server)
    const flow = await getCode(server, client, creds())
    const r = await exchange(client, flow.code!, flow.verifier, loopbackClientId(REDIRECT, 'atproto'))
    expect(r.body.error).toBe('invalid_grant')
  })

  test('DPoP is required, and the key must be the one used at PAR', async () => {
    const client = await newClient(server)
    const flow = await getCode(server, client, creds())
    const noProof = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: flow.code!, code_verifier: flow.verifier, client_id: flow.clientId, redirect_uri: REDIRECT }),
    })
    expect(noProof.status).toBe(401)
    expect(((await noProof.json()) as any).error).toBe('invalid_dpop_proof')
    expect(noProof.headers.get('www-authenticate')).toBe(`DPoP algs="${VERIFY_ALGOS.join(' ')}", error="invalid_dpop_proof", error_description="DPoP proof required"`)
    const flow2 = await getCode(server, client, creds())
    client.key = await newDpopKey()
    const r = await exchange(client, flow2.code!, flow2.verifier, flow2.clientId)
    expect(r.body.error).toBe('invalid_grant')
  })

  test('an unknown code is invalid_grant', async () => {
    const client = await newClient(server)
    const r = await exchange(client, 'cod-not-a-real-code', pkce().verifier, CLIENT_ID)
    expect(r.res.status).toBe(400)
    expect(r.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid code' })
  })

  test('unsupported grant type', async () => {
    const client = await newClient(server)
    const r = await client.post('/oauth/token', { grant_type: 'password', client_id: CLIENT_ID })
    expect(r.body.error).toBe('unsupported_grant_type')
  })

  test('a reused refresh token revokes the whole token family', async () => {
    const client = await newClient(server)
    const { tokens, clientId } = await login(server, client, creds())
    const next = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId })
    expect(next.res.status).toBe(200)
    const replay = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId })
    expect(replay.body).toMatchObject({ error: 'invalid_grant', error_description: 'Refresh token replayed' })
    expect((await client.resource('/xrpc/com.atproto.server.getSession', next.body.access_token)).status).toBe(401)
    const later = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: next.body.refresh_token, client_id: clientId })
    expect(later.body.error).toBe('invalid_grant')
  })

  test('refresh with another DPoP key, or asking for more scope, is refused', async () => {
    const client = await newClient(server)
    const { tokens, clientId } = await login(server, client, { ...creds(), scope: 'atproto', clientId: loopbackClientId(REDIRECT, 'atproto transition:generic') })
    const wider = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId, scope: 'atproto transition:generic' })
    expect(wider.body.error).toBe('invalid_scope')
    client.key = await newDpopKey()
    const otherKey = await client.post('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId })
    expect(otherKey.body.error).toBe('invalid_grant')
  })
})

describe('DPoP proofs', () => {
  const issuer = () => server.config.service.publicUrl
  const tokenForm = { grant_type: 'refresh_token', refresh_token: 'ref-x', client_id: CLIENT_ID }

  test('a replayed proof is refused', async () => {
    const client = await newClient(server)
    await client.post('/oauth/token', tokenForm) // learn the nonce
    const proof = await dpopProof(client.key, { htm: 'POST', htu: issuer() + '/oauth/token', nonce: client.nonce })
    const first = await client.post('/oauth/token', tokenForm, { proof: async () => proof, retry: false })
    expect(first.body.error).toBe('invalid_grant') // the proof passed; the refresh token is bogus
    const second = await client.post('/oauth/token', tokenForm, { proof: async () => proof, retry: false })
    expect(second.body).toMatchObject({ error: 'invalid_dpop_proof', error_description: 'DPoP proof replayed' })
    expect(second.res.status).toBe(401)
  })

  test('wrong htu or htm', async () => {
    const client = await newClient(server)
    await client.post('/oauth/token', tokenForm)
    const htu = await client.post('/oauth/token', tokenForm, { proof: (n) => dpopProof(client.key, { htm: 'POST', htu: issuer() + '/oauth/par', nonce: n }), retry: false })
    expect(htu.body).toMatchObject({ error: 'invalid_dpop_proof', error_description: 'DPoP htu mismatch' })
    expect(htu.res.status).toBe(401)
    expect(htu.res.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"')
    const htm = await client.post('/oauth/token', tokenForm, { proof: (n) => dpopProof(client.key, { htm: 'GET', htu: issuer() + '/oauth/token', nonce: n }), retry: false })
    expect(htm.body).toMatchObject({ error: 'invalid_dpop_proof', error_description: 'DPoP htm mismatch' })
    const old = await client.post('/oauth/token', tokenForm, {
      proof: (n) => dpopProof(client.key, { htm: 'POST', htu: issuer() + '/oauth/token', nonce: n, iat: Math.floor(Date.now() / 1000) - 600 }),
      retry: false,
    })
    expect(old.body.error).toBe('invalid_dpop_proof')
  })

  test('missing, unknown or stale nonces get use_dpop_nonce with a fresh DPoP-Nonce', async () => {
    const client = await newClient(server)
    const none = await client.post('/oauth/token', tokenForm, { retry: false })
    expect(none.res.status).toBe(400)
    expect(none.body.error).toBe('use_dpop_nonce')
    expect(none.res.headers.get('dpop-nonce')).toBeTruthy()
    const stale = new DpopNonces(hmac(server.config.secrets.jwtSecret, 'pds-oauth-dpop-nonce-v1'), () => Date.now() - 10 * 60_000).next()
    expect(new DpopNonces(hmac(server.config.secrets.jwtSecret, 'pds-oauth-dpop-nonce-v1')).next()).toBe(client.nonce!) // same derivation as the server
    const r = await client.post('/oauth/token', tokenForm, { proof: () => dpopProof(client.key, { htm: 'POST', htu: issuer() + '/oauth/token', nonce: stale }), retry: false })
    expect(r.body.error).toBe('use_dpop_nonce')
  })

  test('resource requests: token bound to another key, missing ath, stale nonce', async () => {
    const client = await newClient(server)
    const { tokens } = await login(server, client, creds())
    const path = '/xrpc/com.atproto.server.getSession'
    const other = await client.resource(path, tokens.access_token, { key: await newDpopKey() })
    expect(other.status).toBe(401)
    expect(other.headers.get('www-authenticate')).toContain('invalid_dpop_proof')
    const noAth = await fetch(server.url + path, {
      headers: { authorization: `DPoP ${tokens.access_token}`, dpop: await dpopProof(client.key, { htm: 'GET', htu: issuer() + path, nonce: client.nonce }) },
    })
    expect(noAth.status).toBe(401)
    const stale = await fetch(server.url + path, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await dpopProof(client.key, { htm: 'GET', htu: issuer() + path, nonce: 'stale-nonce', ath: sha256(tokens.access_token) }),
      },
    })
    expect(stale.status).toBe(401)
    expect(stale.headers.get('www-authenticate')).toContain('use_dpop_nonce')
    expect(stale.headers.get('dpop-nonce')).toBeTruthy()
    const bearer = await fetch(server.url + path, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    expect(bearer.status).toBeGreaterThanOrEqual(400)
  })
})
