// The whole authorization code flow against a test server, step by step, for the OAuth e2e tests.
import { AtpAgent } from '@atproto/api'
import { expect } from 'bun:test'
import type { TestServer } from '../helpers/server.ts'
import { Browser, csrfOf, HandClient, loopbackClientId, newDpopKey, pkce } from './hand-client.ts'

export const REDIRECT = 'http://127.0.0.1/callback'
export const SCOPE = 'atproto transition:generic'

export async function signUp(server: TestServer, name: string) {
  const agent = new AtpAgent({ service: server.url })
  const password = `${name}-password`
  const res = await agent.createAccount({ email: `${name}@example.com`, handle: `${name}.test`, password })
  return { did: res.data.did, handle: `${name}.test`, password, agent }
}

export async function newClient(server: TestServer) {
  return new HandClient(server.url, server.config.service.publicUrl, await newDpopKey())
}

export type FlowOptions = {
  clientId?: string
  redirectUri?: string
  scope?: string
  identifier: string
  password: string
  extra?: Record<string, string>
  browser?: Browser
}

/** PAR → authorize page → sign in → consent → code. Returns what the token request needs. */
export async function getCode(server: TestServer, client: HandClient, o: FlowOptions) {
  const clientId = o.clientId ?? loopbackClientId(o.redirectUri ?? REDIRECT, o.scope ?? SCOPE)
  const { verifier, challenge } = pkce()
  const par = await client.par({ client_id: clientId, redirect_uri: o.redirectUri ?? REDIRECT, scope: o.scope ?? SCOPE, code_challenge: challenge, state: 'st-1', ...o.extra })
  expect(par.res.status).toBe(201)
  const browser = o.browser ?? new Browser(server.url)
  const requestUri = par.body.request_uri as string
  const page = await browser.get(`/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(requestUri)}`)
  expect(page.res.status).toBe(200)
  let res = page
  if (page.html.includes('name="password"')) {
    res = await browser.post('/oauth/authorize/sign-in', {
      request_uri: requestUri,
      csrf_token: csrfOf(page.html),
      identifier: o.identifier,
      password: o.password,
      remember: '1',
    })
  }
  if (res.res.status === 200 && res.html.includes('/oauth/authorize/accept')) {
    const did = /name="did" value="([^"]+)"/.exec(res.html)![1]!
    res = await browser.post('/oauth/authorize/accept', { request_uri: requestUri, csrf_token: csrfOf(res.html), did })
  }
  expect(res.res.status).toBe(303)
  const location = new URL(res.res.headers.get('location')!)
  return { clientId, verifier, requestUri, location, code: location.searchParams.get('code'), browser, consentHtml: res.html }
}

export async function exchange(client: HandClient, code: string, verifier: string, clientId: string, redirectUri = REDIRECT) {
  return client.post('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: redirectUri })
}

/** Sign in and get tokens in one go. */
export async function login(server: TestServer, client: HandClient, o: FlowOptions) {
  const flow = await getCode(server, client, o)
  const token = await exchange(client, flow.code!, flow.verifier, flow.clientId, o.redirectUri ?? REDIRECT)
  expect(token.res.status).toBe(200)
  return { ...flow, tokens: token.body as { access_token: string; refresh_token: string; scope: string; sub: string; token_type: string; expires_in: number } }
}
