// The account app's request pipeline, the same for every page: rate limit, session from the cookie,
// CSRF token, same-origin form with a valid token on POST, sign-in and recent-password requirements,
// and failures as pages in plain words.
import { randomBytes } from 'node:crypto'
import { clearCookie, readCookies, setCookie } from '../ui/cookies.ts'
import { csrfMatches, csrfToken } from '../ui/csrf.ts'
import { PageProblem } from '../ui/errors.ts'
import { readForm, readUpload } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { CSRF_FIELD } from '../ui/components.tsx'
import { WEB_SESSION_IDLE_MS } from '../../services/accounts/web-sessions.ts'
import { BASE, REAUTH_PATH, SIGN_IN_PATH, type AccountApp, type SignedIn, type WebLimit, type WebRequest } from './context.ts'
import { problemPage } from './shell.tsx'

export const SESSION_COOKIE = 'pds_session'
/** Signed-out forms are bound to this cookie for their CSRF token. */
export const PRE_SESSION_COOKIE = 'pds_form'

/** Who may open a route: anyone, a signed-in account, or one that entered its password in the last minutes. */
export type Access = 'public' | 'signedIn' | 'recentPassword'

export type Route = {
  method: 'GET' | 'POST'
  path: string
  access: Access
  /** Windows of the server's rate limiter, for routes taking a secret or sending mail. */
  limits?: WebLimit[]
  /** A form with files (multipart), at most this many bytes; other forms are small and urlencoded. */
  upload?: number
  handler: (r: WebRequest) => Promise<Response> | Response
}

export const sessionCookie = (app: AccountApp, secret: string) =>
  setCookie(SESSION_COOKIE, secret, { path: BASE, secure: app.secureCookies, maxAgeSeconds: Math.floor(WEB_SESSION_IDLE_MS / 1000) })
export const endSessionCookie = (app: AccountApp) => clearCookie(SESSION_COOKIE, { path: BASE, secure: app.secureCookies })

export function asSignedIn(r: WebRequest): SignedIn {
  if (!r.session || !r.account) throw new PageProblem(401, 'Signed out', 'Sign in first.')
  return r as SignedIn
}

export async function handleRoute(app: AccountApp, route: Route, req: Request, ip: string): Promise<Response> {
  const url = new URL(req.url)
  const device = { ip, userAgent: req.headers.get('user-agent') }
  const cookies = readCookies(req)
  const r: WebRequest = { app, req, url, ip, device, session: null, account: null, secret: null, csrf: '', cookies: [], form: new URLSearchParams(), files: new Map() }
  try {
    loadSession(r, cookies.get(SESSION_COOKIE))
    app.limit(route.limits ?? [], req, ip, r.account?.did ?? null)
    let binding = r.secret
    if (!binding) {
      binding = cookies.get(PRE_SESSION_COOKIE) ?? null
      if (!binding || binding.length < 16) {
        binding = randomBytes(18).toString('base64url')
        r.cookies.push(setCookie(PRE_SESSION_COOKIE, binding, { path: BASE, secure: app.secureCookies }))
      }
    }
    r.csrf = csrfToken(app.csrfKey, binding)
    const here = url.pathname + url.search
    if (route.access !== 'public' && !r.session) return seeOther(`${SIGN_IN_PATH}?next=${encodeURIComponent(route.method === 'GET' ? here : BASE)}`, r.cookies)
    if (route.method === 'POST') {
      const origins = app.devMode ? [...app.origins, url.origin] : app.origins
      if (route.upload) ({ form: r.form, files: r.files } = await readUpload(req, origins, route.upload))
      else r.form = await readForm(req, origins)
      if (!csrfMatches(app.csrfKey, binding, r.form.get(CSRF_FIELD))) {
        throw new PageProblem(403, 'Form expired', 'This form could not be accepted (it is too old or came from somewhere else). Go back, reload the page and try again.')
      }
    }
    if (route.access === 'recentPassword' && !r.session!.recentlyAuthenticated) {
      // A POST loses what was typed: the confirm-password page says so and leads back to the form.
      const back = route.method === 'GET' ? here : (req.headers.get('referer') && sameOriginPath(req.headers.get('referer')!, url)) || BASE
      return seeOther(`${REAUTH_PATH}?next=${encodeURIComponent(back)}${route.method === 'POST' ? '&again=1' : ''}`, r.cookies)
    }
    return await route.handler(r)
  } catch (err) {
    if (err instanceof PageProblem) return problemPage(r, err.status, err.title, err.message)
    app.services.log.error('account page failed', { path: url.pathname, err })
    return problemPage(r, 500, 'Something went wrong', 'The server could not finish this. Nothing was changed by the failed step; try again in a moment.')
  }
}

function sameOriginPath(referer: string, url: URL): string | null {
  if (!URL.canParse(referer)) return null
  const ref = new URL(referer)
  return ref.origin === url.origin && ref.pathname.startsWith(BASE) ? ref.pathname + ref.search : null
}

/** The session of the cookie, if it is live and its account may still use it (not taken down, not gone). */
function loadSession(r: WebRequest, secret: string | undefined) {
  if (!secret) return
  const sessions = r.app.services.accounts.webSessions
  const session = sessions.resume(secret, r.device)
  const account = session ? r.app.services.accounts.getAccount(session.did, { includeDeactivated: true, includeTakenDown: true }) : null
  if (!session || !account || account.takedownRef) {
    if (session) sessions.endBySecret(secret)
    r.cookies.push(endSessionCookie(r.app))
    return
  }
  Object.assign(r, { session, account, secret })
}
