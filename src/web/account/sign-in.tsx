/** @jsxImportSource ../ui/jsx */
// Sign in with handle or email and the account password (app passwords are refused here). A new
// session secret on every sign-in. An account with a second factor (authenticator app, emailed code,
// backup code) gives its code with the password: the form asks for it after the first right password.
import type { AccountView } from '../../services/accounts/account-manager.ts'
import { DomainError } from '../../services/errors.ts'
import { Field, Form, Notice, RememberBrowser, type FieldErrors } from '../ui/components.tsx'
import { REMEMBER_BROWSER_FIELD, trustCookie, trustedTokens } from '../ui/trusted-browser.ts'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, safeNext, type WebRequest } from './context.ts'
import { sessionCookie } from './router.ts'
import { publicPage } from './shell.tsx'
import { PasskeySignIn } from '../ui/passkey.tsx'
import { RECOVERY_PATH } from '../../services/factors/recovery.ts'

export const PASSKEY_SIGN_IN_PATH = `${BASE}/sign-in/passkey`

const NOTICES: Record<string, string> = {
  'signed-out': 'You are signed out.',
  'password-changed': 'Your password was changed and every session was signed out. Sign in with your new password.',
  'password-reset': 'Your password was reset. Sign in with your new password.',
  'handle-changed': 'Your handle changed. Sign in again.',
  deactivated: 'Your account is deactivated and you were signed out. Sign in again to reactivate it.',
  deleted: 'Your account was deleted.',
  recovered: 'Your second factors were removed and your new password set. Sign in with it.',
}

export function signInView(r: WebRequest, o: { identifier?: string; errors?: FieldErrors; status?: number; askCode?: boolean; emailCode?: boolean }) {
  const next = safeNext(r.url.searchParams.get('next') ?? r.form.get('next'))
  const notice = NOTICES[r.url.searchParams.get('notice') ?? '']
  return publicPage(
    r,
    {
      title: 'Sign in · Your account',
      children: (
        <section class="card">
          <h1>Sign in to your account</h1>
          <p class="muted">On {r.app.services.config.service.hostname}. Use your account password, not an app password.</p>
          {notice && <Notice kind="ok">{notice}</Notice>}
          {o.errors?.form && <Notice kind="error">{o.errors.form}</Notice>}
          <Form action={`${BASE}/sign-in`} csrf={r.csrf} label="Sign in">
            <input type="hidden" name="next" value={next} />
            <Field name="identifier" label="Handle or email" value={o.identifier} autocomplete="username" spellcheck={false} required errors={o.errors} />
            <Field name="password" label="Password" type="password" autocomplete="current-password" required errors={o.errors} />
            {o.askCode && (
              <>
                <Field name="code" label="Code from your authenticator app or email, or a backup code" autocomplete="one-time-code" spellcheck={false} required errors={o.errors} />
                <RememberBrowser />
                <p class="small">
                  <a href={RECOVERY_PATH}>Lost your authenticator app, backup codes or passkeys?</a>
                </p>
              </>
            )}
            <button type="submit">Sign in</button>
            {o.askCode && o.emailCode && (
              <>
                {' '}
                {/* The same form (handle and password again), to the route that sends a fresh code. */}
                <button type="submit" class="secondary" formaction={`${BASE}/sign-in/new-code`} formnovalidate>
                  Send a new code
                </button>
              </>
            )}
          </Form>
          <PasskeySignIn action={PASSKEY_SIGN_IN_PATH} optionsUrl={`${PASSKEY_SIGN_IN_PATH}/options`} csrf={r.csrf} fields={{ next }} intro="Or sign in with a passkey, without typing anything:" />
          <p>
            <a href={`${BASE}/forgot-password`}>Forgot your password?</a> · <a href={`${BASE}/sign-up`}>Create an account</a> · <a href={`${BASE}/move-here`}>Move your account here</a> · <a href={`${BASE}/restore`}>Restore an account</a>
          </p>
        </section>
      ),
    },
    { status: o.status },
  )
}

/** GET /account/sign-in (signed in already: straight on). */
export function showSignIn(r: WebRequest): Response {
  if (r.session) return seeOther(safeNext(r.url.searchParams.get('next')), r.cookies)
  return signInView(r, {})
}

/** POST /account/sign-in */
export const submitSignIn = (r: WebRequest) => signIn(r, field(r.form, 'code') || undefined, false)

/**
 * POST /account/sign-in/new-code: the code step's "Send a new code": handle and password again, any
 * typed code ignored, so an account with sign-in codes gets a fresh one (rate limited per IP).
 */
export const newSignInCode = (r: WebRequest) => signIn(r, undefined, true)

async function signIn(r: WebRequest, code: string | undefined, newCode: boolean): Promise<Response> {
  const identifier = field(r.form, 'identifier').replace(/^@/, '')
  const password = raw(r.form, 'password')
  const errors: FieldErrors = {}
  if (!identifier) errors.identifier = 'Enter your handle (like alice.example.com) or your email address.'
  if (!password) errors.password = 'Enter your password.'
  // Asking for a new code without the password again keeps the code step on screen.
  if (errors.identifier || errors.password) return signInView(r, { identifier, errors, status: 400, askCode: newCode, emailCode: newCode })
  const account = await r.app.services.accounts.signInWithPassword(identifier, password)
  if (!account) {
    // A passkey-only account is told so (as createSession tells apps), with the passkey button below.
    const found = r.app.services.accounts.findAccount(identifier)
    const problem = found && !r.app.services.accounts.hasPassword(found.did) ? 'This account has no password: use your passkey below.' : 'That handle or email and password do not match.'
    return signInView(r, { identifier, errors: { password: problem }, status: 401 })
  }
  if (account.takedownRef) return signInView(r, { identifier, errors: { form: 'This account has been taken down by the server’s moderators.' }, status: 403 })
  const factors = r.app.services.accounts.factors
  const cookies: string[] = []
  let withFactor = false
  try {
    const used = await factors.checkSignIn(account.did, code, r.ip, { trustedTokens: trustedTokens(r.req) })
    withFactor = !!used && used.method !== 'trusted-browser'
    if (used && used.method !== 'trusted-browser' && r.form.get(REMEMBER_BROWSER_FIELD) === '1') {
      const { token, maxAgeSeconds } = factors.trustedBrowsers.remember(account.did, r.device)
      cookies.push(trustCookie(r.req, token, maxAgeSeconds, r.app.secureCookies))
    }
  } catch (err) {
    // A missing, wrong or expired code, or a lockout: said beside the code field, nothing started.
    if (err instanceof DomainError && err.kind !== 'internal') {
      return signInView(r, { identifier, askCode: true, emailCode: factors.emailAuthFactor(account.did), errors: { code: err.message }, status: 401 })
    }
    throw err
  }
  r.app.services.accounts.signIns.signedIn(account.did, r.device, 'account web app')
  return startSession(r, account, safeNext(r.form.get('next')), cookies, { withFactor })
}

/** `withFactor`: a second factor was given (a code or a passkey), which the moderation console asks for. */
export function startSession(r: WebRequest, account: AccountView, next: string, cookies: string[] = [], opts: { withFactor?: boolean } = {}): Response {
  const { secret } = r.app.services.accounts.webSessions.start(account.did, r.device, r.secret, opts)
  return seeOther(next, [sessionCookie(r.app, secret), ...cookies])
}
