/** @jsxImportSource ../ui/jsx */
// Sign in to the console: the admin password, or (when PDS_ADMIN_HANDLES names accounts) an operator
// account's handle, password and second factor. A new session secret on every sign-in; each one audited.
import { Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { ADMIN_SIGN_IN, safeNext, type AdminRequest } from './context.ts'
import { adminSessionCookie } from './router.ts'
import { publicPage } from './shell.tsx'

function view(r: AdminRequest, o: { identifier?: string; errors?: FieldErrors; status?: number; askCode?: boolean }) {
  const accounts = r.app.services.console.signIn.acceptsAccounts
  const next = safeNext(r.url.searchParams.get('next') ?? r.form.get('next'))
  const signedOut = r.url.searchParams.get('notice') === 'signed-out'
  return publicPage(
    r,
    {
      title: 'Sign in · Operator console',
      children: (
        <section class="card">
          <h1>Operator console</h1>
          <p class="muted">{r.app.services.config.service.hostname}. For the people who run this server.</p>
          {signedOut && <Notice kind="ok">You are signed out.</Notice>}
          {o.errors?.form && <Notice kind="error">{o.errors.form}</Notice>}
          <Form action={ADMIN_SIGN_IN} csrf={r.csrf} label="Sign in">
            <input type="hidden" name="next" value={next} />
            {accounts && (
              <Field
                name="identifier"
                label="Operator handle (empty for the admin password)"
                value={o.identifier}
                autocomplete="username"
                spellcheck={false}
                errors={o.errors}
              />
            )}
            <Field name="password" label={accounts ? 'Password' : 'Admin password'} type="password" autocomplete="current-password" required errors={o.errors} />
            {o.askCode && <Field name="code" label="Code from your authenticator app or email, or a backup code" autocomplete="one-time-code" spellcheck={false} required errors={o.errors} />}
            <button type="submit">Sign in</button>
          </Form>
        </section>
      ),
    },
    { status: o.status },
  )
}

/** GET /admin/sign-in (signed in already: straight on). */
export function showSignIn(r: AdminRequest): Response {
  if (r.operator) return seeOther(safeNext(r.url.searchParams.get('next')), r.cookies)
  return view(r, {})
}

/** POST /admin/sign-in */
export async function submitSignIn(r: AdminRequest): Promise<Response> {
  const identifier = field(r.form, 'identifier')
  const password = raw(r.form, 'password')
  if (!password) return view(r, { identifier, errors: { password: 'Enter the password.' }, status: 400 })
  const { signIn, sessions, audit } = r.app.services.console
  const outcome = await signIn.check(identifier, password, field(r.form, 'code') || undefined, r.ip)
  if (!outcome.ok && outcome.reason === 'factor') return view(r, { identifier, askCode: true, errors: { code: outcome.message }, status: 401 })
  if (!outcome.ok) {
    const message = signIn.acceptsAccounts ? 'That handle and password do not match an operator.' : 'That is not the admin password.'
    return view(r, { identifier, errors: { password: message }, status: 401 })
  }
  const actor = outcome.operator.kind === 'admin' ? 'admin' : outcome.operator.did
  const { secret } = sessions.start(actor, { ip: r.ip, userAgent: r.userAgent }, r.secret)
  audit.record(outcome.operator, 'sign-in', { ip: r.ip })
  return seeOther(safeNext(r.form.get('next')), [adminSessionCookie(r.app, secret)])
}
