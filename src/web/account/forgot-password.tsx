/** @jsxImportSource ../ui/jsx */
// Signed out: "forgot password". An email address gets a code (requestPasswordReset); the code and a new
// password set it (resetPassword), which ends every session of the account. The first step says the
// same whether or not the address has an account here.
import { Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, SIGN_IN_PATH, type WebRequest } from './context.ts'
import { codeMessage } from './email.tsx'
import { newPasswordProblem, PASSWORD_HINT } from './password-rules.ts'
import { publicPage } from './shell.tsx'

const FORGOT = `${BASE}/forgot-password`
const RESET = `${BASE}/reset-password`

function askView(r: WebRequest, o: { email?: string; errors?: FieldErrors; status?: number } = {}) {
  return publicPage(
    r,
    {
      title: 'Forgot your password',
      children: (
        <section class="card">
          <h1>Forgot your password?</h1>
          <p>Enter the email address of your account. We send it a code to set a new password.</p>
          <Form action={FORGOT} csrf={r.csrf} label="Request a reset code">
            <Field name="email" type="email" label="Email address" autocomplete="email" value={o.email} errors={o.errors} required />
            <button type="submit">Send code</button>
          </Form>
          <p>
            <a href={RESET}>I already have a code</a> · <a href={SIGN_IN_PATH}>Back to sign in</a>
          </p>
        </section>
      ),
    },
    { status: o.status },
  )
}

function resetView(r: WebRequest, o: { token?: string; errors?: FieldErrors; status?: number } = {}) {
  return publicPage(
    r,
    {
      title: 'Set a new password',
      children: (
        <section class="card">
          <h1>Set a new password</h1>
          {r.url.searchParams.get('sent') === '1' && <Notice kind="ok">If that address belongs to an account here, a code is on its way. It works for 15 minutes.</Notice>}
          <Form action={RESET} csrf={r.csrf} label="Set a new password">
            <Field name="token" label="Code from the email" hint="The code looks like ABCDE-23456." autocomplete="one-time-code" spellcheck={false} value={o.token} errors={o.errors} required />
            <Field name="password" type="password" label="New password" hint={PASSWORD_HINT} autocomplete="new-password" errors={o.errors} required />
            <Field name="repeat" type="password" label="New password again" autocomplete="new-password" errors={o.errors} required />
            <button type="submit">Set password</button>
          </Form>
          <p>
            <a href={FORGOT}>Send a new code</a>
          </p>
        </section>
      ),
    },
    { status: o.status },
  )
}

export const showForgotPassword = (r: WebRequest) => askView(r)
export const showResetPassword = (r: WebRequest) => resetView(r)

/** POST /account/forgot-password */
export async function submitForgotPassword(r: WebRequest): Promise<Response> {
  const email = field(r.form, 'email').toLowerCase()
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) return askView(r, { email, errors: { email: 'Enter an email address, like you@example.com.' }, status: 400 })
  // Whether an account has this address is not told to whoever typed it; a failure to send mail is logged.
  await r.app.services.accounts.requestPasswordReset(email).catch((err) => {
    if (!serviceMessage(err)) r.app.services.log.error('password reset mail failed', { err })
  })
  return seeOther(`${RESET}?sent=1`, r.cookies)
}

/** POST /account/reset-password */
export async function submitResetPassword(r: WebRequest): Promise<Response> {
  const token = field(r.form, 'token')
  const password = raw(r.form, 'password')
  if (!token) return resetView(r, { errors: { token: 'Enter the code from the email.' }, status: 400 })
  const problem = newPasswordProblem(password, raw(r.form, 'repeat'))
  if (problem) return resetView(r, { token, errors: { [problem.field]: problem.message }, status: 400 })
  try {
    await r.app.services.accounts.resetPassword(token, password)
  } catch (err) {
    return resetView(r, { token, errors: { token: codeMessage(err) }, status: 400 })
  }
  return seeOther(`${SIGN_IN_PATH}?notice=password-reset`, r.cookies)
}
