// The authorization management page (authorization_management_uri, GET /account): the accounts signed in
// on this browser (same device cookie and sign-in as /oauth/authorize) and their OAuth sessions, each
// with a Revoke button that ends the session's tokens.
import { ACCOUNT_PATH, deviceCookies, html, loadDevice, PageError, readPageForm, rememberedAccounts, signInFromForm, withPageErrors, type BrowserInfo, type Device } from './authorize.ts'
import type { OAuthContext } from '../../services/oauth/context.ts'
import { accountLoginPage, accountSessionsPage, type AccountSessionView } from './pages.ts'
import { describeScope } from '../../services/oauth/scope-descriptions.ts'
import { scopeSet } from '../../services/oauth/scopes.ts'
import { b64url, constantTimeEqual, hmac } from '../../services/oauth/util.ts'

const csrfFor = (device: Device) => b64url(hmac(device.sessionId, 'csrf:account'))

const seeOther = (location: string) => new Response(null, { status: 303, headers: { Location: location, 'Cache-Control': 'no-store' } })

async function sessionViews(ctx: OAuthContext, did: string): Promise<AccountSessionView[]> {
  return Promise.all(
    ctx.store.listSessions(did).map(async (s) => {
      const host = URL.canParse(s.clientId) ? new URL(s.clientId).host : s.clientId
      // The name from the client's metadata when it can be had; otherwise its host is what identifies it.
      const client = await ctx.clients.getClient(s.clientId).catch(() => null)
      return {
        id: s.id,
        clientName: client?.metadata.client_name ?? host,
        clientHost: client?.isLoopback ? 'development app on this computer' : host,
        scopes: [...scopeSet(s.scope)].map((x) => describeScope(x, ctx.permissionSets)),
        createdAt: s.createdAt,
        lastUsedAt: s.updatedAt,
      }
    }),
  )
}

/** GET /account */
export function handleAccountPage(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const device = loadDevice(ctx, req, browser, true)!
    const setCookies = device.isNew ? deviceCookies(ctx, device) : []
    const csrf = csrfFor(device)
    const accounts = rememberedAccounts(ctx, device.id)
    if (!accounts.length) return html(accountLoginPage({ action: ACCOUNT_PATH, csrf }), 200, setCookies)
    const views = await Promise.all(accounts.map(async (account) => ({ account, sessions: await sessionViews(ctx, account.did) })))
    const notice = new URL(req.url).searchParams.get('revoked') === '1' ? 'Access revoked.' : undefined
    return html(accountSessionsPage({ action: ACCOUNT_PATH, csrf, accounts: views, notice }), 200, setCookies)
  })
}

/** The POSTs: our own form, from a known browser, with its CSRF token. */
async function loadAccountForm(ctx: OAuthContext, req: Request, browser: BrowserInfo) {
  const form = await readPageForm(ctx, req)
  const device = loadDevice(ctx, req, browser, false)
  if (!device) throw new PageError(403, 'Session expired', 'Your browser session has expired. Reload the page and try again.')
  if (!constantTimeEqual(form.get('csrf_token') ?? '', csrfFor(device))) throw new PageError(403, 'Forbidden', 'Invalid form token. Reload the page and try again.')
  return { form, device }
}

/** POST /account/sign-in */
export function handleAccountSignIn(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const { form, device } = await loadAccountForm(ctx, req, browser)
    const { identifier, account } = await signInFromForm(ctx, form, device.id)
    if (!account) return html(accountLoginPage({ action: ACCOUNT_PATH, csrf: csrfFor(device), loginHint: identifier, error: 'Wrong handle or password.' }), 401)
    return seeOther(ACCOUNT_PATH)
  })
}

/** POST /account/revoke: ends one session of an account signed in on this browser. */
export function handleAccountRevoke(ctx: OAuthContext, req: Request, browser: BrowserInfo): Promise<Response> {
  return withPageErrors(async () => {
    const { form, device } = await loadAccountForm(ctx, req, browser)
    const did = form.get('did') ?? ''
    if (!rememberedAccounts(ctx, device.id).some((a) => a.did === did)) throw new PageError(403, 'Forbidden', 'Sign in to this account first.')
    const session = ctx.store.getToken(form.get('session_id') ?? '')
    // A session refreshed since the page was shown has a new id: a reload lists it under that id.
    if (!session || session.did !== did) throw new PageError(404, 'Not found', 'This app session no longer exists (it may have been refreshed or ended). Reload the page.')
    ctx.store.deleteToken(session.id)
    return seeOther(`${ACCOUNT_PATH}?revoked=1`)
  })
}
