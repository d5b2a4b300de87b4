/** @jsxImportSource ../ui/jsx */
// /account/password: change the password with the reference's email-token flow (requestPasswordReset
// to the account's address, then the code and the new password). Every session ends, this one too.
import { ActionButton, Card, Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, SIGN_IN_PATH, type SignedIn, type WebRequest } from './context.ts'
import { codeMessage } from './email.tsx'
import { newPasswordProblem, PASSWORD_HINT } from './password-rules.ts'
import { asSignedIn, endSessionCookie } from './router.ts'
import { accountPage } from './shell.tsx'

const PATH = `${BASE}/password`

function view(s: SignedIn, o: { errors?: FieldErrors; token?: string; status?: number } = {}) {
  const sent = s.url.searchParams.get('done') === 'code-sent' || o.errors !== undefined
  return accountPage(
    s,
    {
      title: 'Password',
      current: PATH,
      children: (
        <>
          <h1>Password</h1>
          <Card title="Change your password">
            {!s.account.email ? (
              <p>This account has no email address, so the code that confirms a password change cannot be sent. Add an address first.</p>
            ) : (
              <>
                <p>
                  We send a code to <strong>{s.account.email}</strong>; enter it here with your new password. Afterwards every device and app signed in with your password
                  is signed out, this browser too.
                </p>
                {sent && !o.errors && <Notice kind="ok">We sent you a code. It works for 15 minutes.</Notice>}
                <ActionButton action={`${PATH}/send-code`} csrf={s.csrf} label={sent ? 'Send another code' : 'Send me a code'} variant={sent ? 'secondary' : undefined} />
                {sent && (
                  <Form action={PATH} csrf={s.csrf} label="Set a new password">
                    <Field name="token" label="Code from the email" hint="The code looks like ABCDE-23456." autocomplete="one-time-code" spellcheck={false} value={o.token} errors={o.errors} required />
                    <Field name="password" type="password" label="New password" hint={PASSWORD_HINT} autocomplete="new-password" errors={o.errors} required />
                    <Field name="repeat" type="password" label="New password again" autocomplete="new-password" errors={o.errors} required />
                    <button type="submit">Change password</button>
                  </Form>
                )}
              </>
            )}
          </Card>
        </>
      ),
    },
    { status: o.status },
  )
}

export const showPassword = (r: WebRequest) => view(asSignedIn(r))

/** POST /account/password/send-code */
export async function sendPasswordCode(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  if (s.account.email) await s.app.services.accounts.requestPasswordReset(s.account.email)
  return seeOther(`${PATH}?done=code-sent`)
}

/** POST /account/password */
export async function changePassword(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const token = field(r.form, 'token')
  const password = raw(r.form, 'password')
  if (!token) return view(s, { errors: { token: 'Enter the code from the email.' }, status: 400 })
  const problem = newPasswordProblem(password, raw(r.form, 'repeat'))
  if (problem) return view(s, { errors: { [problem.field]: problem.message }, token, status: 400 })
  const accounts = s.app.services.accounts
  try {
    // The code must be this account's (resetPassword alone finds the account by its code).
    accounts.assertValidEmailToken(s.account.did, 'reset_password', token)
    await accounts.resetPassword(token, password)
  } catch (err) {
    return view(s, { errors: { token: codeMessage(err) }, token, status: 400 })
  }
  return seeOther(`${SIGN_IN_PATH}?notice=password-changed`, [endSessionCookie(s.app)])
}
