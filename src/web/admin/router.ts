// The console's request pipeline, the same for every page: rate limit, session from the cookie (SameSite
// Strict, Secure outside dev), CSRF token, same-origin form with a valid token on every POST, sign-in
// required, failures as pages in plain words.
import { randomBytes } from 'node:crypto'
import { clearCookie, readCookies, setCookie } from '../ui/cookies.ts'
import { csrfMatches, csrfToken } from '../ui/csrf.ts'
import { PageProblem, serviceMessage } from '../ui/errors.ts'
import { readForm } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { CSRF_FIELD } from '../ui/components.tsx'
import { CONSOLE_SESSION_IDLE_MS } from '../../services/admin/console-sessions.ts'
import type { WebLimit } from '../account/context.ts'
import { ADMIN_BASE, ADMIN_SIGN_IN, type AdminApp, type AdminRequest, type SignedInAdmin } from './context.ts'
import { problemPage } from './shell.tsx'

export const ADMIN_SESSION_COOKIE = 'pds_admin_session'
/** Signed-out forms (the sign-in) are bound to this cookie for their CSRF token. */
export const ADMIN_FORM_COOKIE = 'pds_admin_form'

export type AdminRoute = {
  method: 'GET' | 'POST'
  path: string
  access: 'public' | 'operator'
  limits?: WebLimit[]
  handler: (r: AdminRequest) => Promise<Response> | Response
}

const cookieOptions = (app: AdminApp) => ({ path: ADMIN_BASE, secure: app.secureCookies, sameSite: 'Strict' as const })
export const adminSessionCookie = (app: AdminApp, secret: string) =>
  setCookie(ADMIN_SESSION_COOKIE, secret, { ...cookieOptions(app), maxAgeSeconds: Math.floor(CONSOLE_SESSION_IDLE_MS / 1000) })
export const endAdminSessionCookie = (app: AdminApp) => clearCookie(ADMIN_SESSION_COOKIE, cookieOptions(app))

export function asOperator(r: AdminRequest): SignedInAdmin {
  if (!r.operator) throw new PageProblem(401, 'Signed out', 'Sign in first.')
  return r as SignedInAdmin
}

export async function handleAdminRoute(app: AdminApp, route: AdminRoute, req: Request, ip: string): Promise<Response> {
  const url = new URL(req.url)
  const cookies = readCookies(req)
  const r: AdminRequest = { app, req, url, ip, userAgent: req.headers.get('user-agent'), operator: null, secret: null, csrf: '', cookies: [], form: new URLSearchParams() }
  try {
    loadSession(r, cookies.get(ADMIN_SESSION_COOKIE))
    app.limit(route.limits ?? [], req, ip, null)
    let binding = r.secret
    if (!binding) {
      binding = cookies.get(ADMIN_FORM_COOKIE) ?? null
      if (!binding || binding.length < 16) {
        binding = randomBytes(18).toString('base64url')
        r.cookies.push(setCookie(ADMIN_FORM_COOKIE, binding, cookieOptions(app)))
      }
    }
    r.csrf = csrfToken(app.csrfKey, binding)
    if (route.access === 'operator' && !r.operator) {
      const here = route.method === 'GET' ? url.pathname + url.search : ADMIN_BASE
      return seeOther(`${ADMIN_SIGN_IN}?next=${encodeURIComponent(here)}`, r.cookies)
    }
    if (route.method === 'POST') {
      r.form = await readForm(req, app.devMode ? [...app.origins, url.origin] : app.origins)
      if (!csrfMatches(app.csrfKey, binding, r.form.get(CSRF_FIELD))) {
        throw new PageProblem(403, 'Form expired', 'This form could not be accepted (it is too old or came from somewhere else). Go back, reload the page and try again.')
      }
    }
    return await route.handler(r)
  } catch (err) {
    if (err instanceof PageProblem) return problemPage(r, err.status, err.title, err.message)
    const message = serviceMessage(err)
    if (message) return problemPage(r, 400, 'Not done', message)
    app.services.log.error('admin console page failed', { path: url.pathname, err })
    return problemPage(r, 500, 'Something went wrong', 'The server could not finish this. Try again in a moment; the audit log shows what was done.')
  }
}

/** The operator of the cookie's session, if it is live and its operator may still use the console. */
function loadSession(r: AdminRequest, secret: string | undefined) {
  if (!secret) return
  const { sessions, signIn } = r.app.services.console
  const session = sessions.resume(secret, r.ip)
  const operator = session ? signIn.operatorOf(session.actor) : null
  if (!session || !operator) {
    if (session) sessions.end(secret)
    r.cookies.push(endAdminSessionCookie(r.app))
    return
  }
  r.operator = operator
  r.secret = secret
}
