// The browser side of an authorization: sign in (or pick a remembered account), consent, redirect.
// Each request from PAR is bound to the browser (device cookie) that first opened it; forms carry a
// CSRF token derived from that device's secret session id.
import type { OAuthClient } from '../../services/oauth/client-metadata.ts'
import {
  AUTHENTICATION_MAX_AGE,
  AUTHORIZATION_INACTIVITY_TIMEOUT,
  CODE_PREFIX,
  DEVICE_COOKIE_MAX_AGE,
  DEVICE_ID_PREFIX,
  REQUEST_URI_PREFIX,
  SESSION_ID_PREFIX,
} from '../../services/oauth/constants.ts'
import type { OAuthAccount, OAuthContext } from '../../services/oauth/context.ts'
import { OAuthError } from '../../services/oauth/errors.ts'
import { chooserPage, consentPage, errorPage, formPostPage, loginPage, pageCsp, SIGN_UP_NOTICE, type FormContext, type Page } from './pages.tsx'
import { describeScope } from '../../services/oauth/scope-descriptions.ts'
import { scopeSet } from '../../services/oauth/scopes.ts'
import type { RequestRow } from '../../services/oauth/context.ts'
import { b64url, constantTimeEqual, hmac, randomId } from '../../services/oauth/util.ts'
import { REMEMBER_BROWSER_FIELD, trustCookie, trustedTokens } from '../ui/trusted-browser.ts'

export const AUTHORIZE_PATH = '/oauth/authorize'
export type Device = { id: string; sessionId: string; isNew: boolean }
type Flow = { request: RequestRow; client: OAuthClient; device: Device }
export type BrowserInfo = { ip: string; userAgent: string | null }

/** A problem shown to the user because the client cannot be trusted with a redirect. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message)
  }
}

function cookies(req: Request): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0) out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()))
  }
  return out
}

/** The device cookies of the authorization pages (the account web app under /account has its own session). */
export function deviceCookies(ctx: OAuthContext, device: Device): string[] {
  const secure = ctx.issuer.startsWith('https:') ? '; Secure' : ''
  const attrs = `; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(DEVICE_COOKIE_MAX_AGE / 1000)}${secure}`
  return [`device-id=${device.id}${attrs}`, `session-id=${device.sessionId}${attrs}`]
}

export function loadDevice(ctx: OAuthContext, req: Request, browser: BrowserInfo, create: boolean): Device | null {
  const c = cookies(req)
  const id = c.get('device-id')
  const sessionId = c.get('session-id')
  if (id && sessionId) {
    const known = ctx.store.getDevice(id)
    if (known && constantTimeEqual(known.sessionId, sessionId)) {
      ctx.store.upsertDevice({ id, sessionId, userAgent: browser.userAgent, ipAddress: browser.ip })
      return { id, sessionId, isNew: false }
    }
  }
  if (!create) return null
  const device = { id: randomId(DEVICE_ID_PREFIX, 16), sessionId: randomId(SESSION_ID_PREFIX, 16), isNew: true }
  ctx.store.upsertDevice({ ...device, userAgent: browser.userAgent, ipAddress: browser.ip })
  return device
}

const csrfFor = (device: Device, requestId: string) => b64url(hmac(device.sessionId, `csrf:${requestId}`))

function requestIdOf(requestUri: string | null | undefined): string | null {
  return requestUri?.startsWith(REQUEST_URI_PREFIX) ? requestUri.slice(REQUEST_URI_PREFIX.length) : null
}

async function loadRequest(ctx: OAuthContext, requestUri: string | null, clientId: string | null): Promise<{ request: RequestRow; client: OAuthClient }> {
  const id = requestIdOf(requestUri)
  if (!id) throw new PageError(400, 'Invalid request', 'This sign-in link is incomplete: a pushed authorization request (request_uri) is required.')
  const request = ctx.store.getRequest(id)
  if (!request || request.expiresAt < Date.now()) throw new PageError(400, 'Link expired', 'This sign-in link has expired. Go back to the app and try again.')
  if (clientId !== null && clientId !== request.clientId) throw new PageError(400, 'Invalid request', 'This sign-in link does not belong to this app.')
  let client: OAuthClient
  try {
    client = await ctx.clients.getClient(request.clientId)
  } catch (err) {
    throw new PageError(400, 'Unknown app', err instanceof OAuthError ? err.description : 'The app could not be verified.')
  }
  return { request, client }
}

/**
 * The sign-in form of the authorize page: password, then the account's second factor if it has one
 * (`factorProblem`: what to show beside the code field; skipped on a browser trusted after one). The
 * browser remembers the account only once both passed; `cookies` carry a new trusted-browser token.
 */
export async function signInFromForm(
  ctx: OAuthContext,
  req: Request,
  form: URLSearchParams,
  deviceId: string,
  browser: BrowserInfo,
): Promise<{ identifier: string; account: OAuthAccount | null; factorProblem?: string; passwordProblem?: string; cookies: string[] }> {
  const identifier = (form.get('identifier') ?? '').trim().replace(/^@/, '')
  const password = form.get('password') ?? ''
  const account = identifier && password ? await ctx.accounts.authenticate(identifier, password) : null
  if (!account) return { identifier, account: null, passwordProblem: (identifier && ctx.accounts.passwordProblem?.(identifier)) || undefined, cookies: [] }
  const factor = await ctx.accounts.secondFactor(account.did, form.get('code') ?? undefined, {
    ...browser,
    trustedTokens: trustedTokens(req),
    remember: form.get(REMEMBER_BROWSER_FIELD) === '1',
  })
  if ('problem' in factor) return { identifier, account: null, factorProblem: factor.problem, cookies: [] }
  ctx.store.rememberAccount(deviceId, account.did, form.get('remember') === '1')
  const secure = ctx.issuer.startsWith('https:')
  const cookies = factor.trustToken ? [trustCookie(req, factor.trustToken.token, factor.trustToken.maxAgeSeconds, secure)] : []
  return { identifier, account, cookies }
}

export function rememberedAccounts(ctx: OAuthContext, deviceId: string): OAuthAccount[] {
  const now = Date.now()
  return ctx.store
    .deviceAccounts(deviceId, now - AUTHENTICATION_MAX_AGE, now - AUTHORIZATION_INACTIVITY_TIMEOUT * 3)
    .map((r) => ctx.accounts.getAccount(r.did))
    .filter((a): a is OAuthAccount => a !== null)
}

function hasConsent(ctx: OAuthContext, did: string, request: RequestRow): boolean {
  const granted = ctx.store.getAuthorizedScopes(did, request.clientId)
  return [...scopeSet(request.parameters.scope)].every((s) => granted.has(s))
}

/** The authorization response (RFC 6749 §4.1.2, RFC 9207 iss) in the requested response mode. */
function respond(ctx: OAuthContext, request: RequestRow, result: Record<string, string>): Response {
  const p = request.parameters
  const params: Record<string, string> = { ...result, iss: ctx.issuer, ...(p.state !== undefined && { state: p.state }) }
  if (p.response_mode === 'form_post') return html(formPostPage(p.redirect_uri, params), 200, [], [p.redirect_uri])
  const url = new URL(p.redirect_uri)
  const encoded = new URLSearchParams(params)
  if (p.response_mode === 'fragment') url.hash = encoded.toString()
  else for (const [k, v] of encoded) url.searchParams.set(k, v)
  return new Response(null, { status: 303, headers: { Location: url.href, 'Cache-Control': 'no-store' } })
}

function issueCode(ctx: OAuthContext, request: RequestRow, did: string): Response {
  const code = randomId(CODE_PREFIX, 32)
  ctx.store.updateRequest(request.id, { did, code, expiresAt: Date.now() + AUTHORIZATION_INACTIVITY_TIMEOUT })
  return respond(ctx, request, { code })
}

function deny(ctx: OAuthContext, request: RequestRow, error: string, description: string): Response {
  ctx.store.deleteRequest(request.id)
  return respond(ctx, request, { error, error_description: description })
}

export function html(page: Page, status = 200, setCookies: string[] = [], formTargets: string[] = []): Response {
  const headers = new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': pageCsp(page.nonce, formTargets.map(formTarget)),
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own form posts,
    // which the cross-site check refuses; the client's redirect still gets no Referer.
    'Referrer-Policy': 'same-origin',
  })
  for (const c of setCookies) headers.append('Set-Cookie', c)
  return new Response(page.html, { status, headers })
}

/** A CSP source for a redirect target: its origin, or its scheme for private-use URI schemes. */
function formTarget(uri: string): string {
  const u = new URL(uri)
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : u.protocol
}

function formContext(flow: Flow): FormContext {
  return { action: AUTHORIZE_PATH, requestUri: REQUEST_URI_PREFIX + flow.request.id, csrf: csrfFor(flow.device, flow.request.id) }
}

/** Consent (or, when it was already given and not asked for again, straight back to the client). */
function afterSignIn(ctx: OAuthContext, flow: Flow, account: OAuthAccount): Response {
  ctx.store.updateRequest(flow.request.id, { did: account.did, expiresAt: Date.now() + AUTHORIZATION_INACTIVITY_TIMEOUT })
  if (flow.request.parameters.prompt !== 'consent' && hasConsent(ctx, account.did, flow.request)) {
    return issueCode(ctx, flow.request, account.did)
  }
  const scopes = [...scopeSet(flow.request.parameters.scope)]
  const describe = (s: string) => describeScope(s, ctx.permissionSets)
  return html(consentPage({ client: flow.client, form: formContext(flow), account, scopes, describe }), 200, [], [flow.request.parameters.redirect_uri])
}

export async function withPageErrors(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof PageError) return html(errorPage(err.title, err.message), err.status)
    throw err
  }
}

/** GET /oauth/authorize?client_id=…&request_uri=… */
export function handleAuthorizePage(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const query = new URL(req.url).searchParams
    for (const key of query.keys()) {
      if (key !== 'client_id' && key !== 'request_uri' && key !== 'prompt') {
        throw new PageError(400, 'Invalid request', 'Authorization parameters must be pushed (PAR) first.')
      }
    }
    if (!query.get('client_id')) throw new PageError(400, 'Invalid request', 'client_id is required.')
    const { request, client } = await loadRequest(ctx, query.get('request_uri'), query.get('client_id'))
    const device = loadDevice(ctx, req, browser, true)!
    if (request.deviceId && request.deviceId !== device.id) {
      throw new PageError(400, 'Invalid request', 'This sign-in was started in another browser. Go back to the app and try again.')
    }
    ctx.store.updateRequest(request.id, { deviceId: device.id, expiresAt: Date.now() + AUTHORIZATION_INACTIVITY_TIMEOUT })
    const flow: Flow = { request: { ...request, deviceId: device.id }, client, device }
    const setCookies = device.isNew ? deviceCookies(ctx, device) : []
    const prompt = query.get('prompt') === 'login' ? 'login' : request.parameters.prompt
    const hint = request.parameters.login_hint
    const accounts = prompt === 'login' || prompt === 'create' ? [] : rememberedAccounts(ctx, device.id)
    const hinted = hint ? accounts.find((a) => a.did === hint || a.handle?.toLowerCase() === hint.toLowerCase()) : undefined
    const chosen = hinted ?? (accounts.length === 1 && prompt !== 'select_account' ? accounts[0] : undefined)

    if (prompt === 'none') {
      if (!chosen) return deny(ctx, request, 'login_required', 'User must sign in')
      if (!hasConsent(ctx, chosen.did, request)) return deny(ctx, request, 'consent_required', 'User must consent')
      return issueCode(ctx, request, chosen.did)
    }
    const form = formContext(flow)
    if (hinted) {
      const res = afterSignIn(ctx, flow, hinted)
      for (const c of setCookies) res.headers.append('Set-Cookie', c)
      return res
    }
    // Both pages' forms can end in a redirect to the client (consent already given, or Cancel).
    const targets = [request.parameters.redirect_uri]
    // prompt=create asks for sign-up: we cannot offer it here, so say so above the sign-in form.
    if (prompt === 'create') return html(loginPage({ client, form, loginHint: hint, notice: SIGN_UP_NOTICE }), 200, setCookies, targets)
    if (accounts.length && !(hint && !hinted)) return html(chooserPage({ client, form, accounts }), 200, setCookies, targets)
    return html(loginPage({ client, form, loginHint: hint }), 200, setCookies, targets)
  })
}

/** A form posted by one of our own pages: same origin, urlencoded, small. */
export async function readPageForm(ctx: OAuthContext, req: Request): Promise<URLSearchParams> {
  const origin = req.headers.get('origin')
  if (origin && origin !== new URL(ctx.issuer).origin && !(ctx.devMode && origin === new URL(req.url).origin)) {
    throw new PageError(403, 'Forbidden', 'Cross-site form submission refused.')
  }
  if (req.headers.get('sec-fetch-site') === 'cross-site') throw new PageError(403, 'Forbidden', 'Cross-site form submission refused.')
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim()
  if (type !== 'application/x-www-form-urlencoded') throw new PageError(400, 'Invalid request', 'Unexpected form encoding.')
  const text = await req.text()
  if (text.length > 8192) throw new PageError(413, 'Invalid request', 'Form too large.')
  return new URLSearchParams(text)
}

/** Common checks for the page's POSTs: same-origin form, known request, same device, valid CSRF token. */
async function loadForm(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<{ flow: Flow; form: URLSearchParams }> {
  const form = await readPageForm(ctx, req)
  const { request, client } = await loadRequest(ctx, form.get('request_uri'), null)
  const device = loadDevice(ctx, req, browser, false)
  if (!device || request.deviceId !== device.id) throw new PageError(403, 'Session expired', 'Your browser session does not match this sign-in. Go back to the app and try again.')
  if (!constantTimeEqual(form.get('csrf_token') ?? '', csrfFor(device, request.id))) {
    throw new PageError(403, 'Forbidden', 'Invalid form token. Reload the page and try again.')
  }
  return { flow: { request, client, device }, form }
}

/** POST /oauth/authorize/sign-in */
export function handleSignIn(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const { flow, form } = await loadForm(ctx, req, browser)
    const { identifier, account, factorProblem, passwordProblem, cookies } = await signInFromForm(ctx, req, form, flow.device.id, browser)
    if (!account) {
      const error = factorProblem ?? passwordProblem ?? 'Wrong handle or password.'
      const page = loginPage({ client: flow.client, form: formContext(flow), loginHint: identifier, error, askCode: !!factorProblem })
      return html(page, 401, [], [flow.request.parameters.redirect_uri])
    }
    ctx.accounts.signedIn?.(account.did, browser)
    const res = afterSignIn(ctx, flow, account)
    for (const c of cookies) res.headers.append('Set-Cookie', c)
    return res
  })
}

/** POST /oauth/authorize/passkey-options: a single-use challenge (JSON) for the page's script. */
export function handlePasskeyOptions(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    await loadForm(ctx, req, browser)
    return Response.json(await ctx.accounts.passkeyOptions(), { headers: { 'Cache-Control': 'no-store' } })
  })
}

/** POST /oauth/authorize/passkey: a passkey (with user verification) signs in on its own, no second factor. */
export function handlePasskeySignIn(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const { flow, form } = await loadForm(ctx, req, browser)
    let response: unknown = null
    try {
      response = JSON.parse(form.get('response') ?? '')
    } catch {}
    const result = response === null ? 'Your browser did not give a passkey. Try again, or sign in with your password.' : await ctx.accounts.passkeySignIn(response)
    if (typeof result === 'string') {
      return html(loginPage({ client: flow.client, form: formContext(flow), error: result }), 401, [], [flow.request.parameters.redirect_uri])
    }
    ctx.store.rememberAccount(flow.device.id, result.did, form.get('remember') === '1')
    ctx.accounts.signedIn?.(result.did, browser)
    return afterSignIn(ctx, flow, result)
  })
}

/** POST /oauth/authorize/select: a remembered account from the chooser. */
export function handleSelect(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const { flow, form } = await loadForm(ctx, req, browser)
    const account = rememberedAccounts(ctx, flow.device.id).find((a) => a.did === form.get('did'))
    if (!account) return html(loginPage({ client: flow.client, form: formContext(flow), error: 'Please sign in again.' }), 401, [], [flow.request.parameters.redirect_uri])
    return afterSignIn(ctx, flow, account)
  })
}

/** POST /oauth/authorize/accept: consent given for the account signed in for this request. */
export function handleAccept(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const { flow, form } = await loadForm(ctx, req, browser)
    const did = flow.request.did
    if (!did || form.get('did') !== did) throw new PageError(403, 'Forbidden', 'Sign in before allowing access.')
    if (!ctx.accounts.getAccount(did)) throw new PageError(403, 'Account unavailable', 'This account cannot be used right now.')
    ctx.store.addAuthorizedScopes(did, flow.request.clientId, scopeSet(flow.request.parameters.scope))
    return issueCode(ctx, flow.request, did)
  })
}

/** POST /oauth/authorize/reject */
export function handleReject(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const { flow } = await loadForm(ctx, req, browser)
    return deny(ctx, flow.request, 'access_denied', 'Access denied')
  })
}
