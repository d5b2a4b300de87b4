/** @jsxImportSource ../ui/jsx */
// Sensitive actions (email, password, handle, app passwords) need the password entered in the last
// few minutes; this page asks for it again and goes back to where the person was.
import { Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { REAUTH_PATH, safeNext, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'
import { PasskeySignIn } from '../ui/passkey.tsx'

export function confirmView(r: WebRequest, errors: FieldErrors = {}, status = 200) {
  const s = asSignedIn(r)
  const next = safeNext(r.url.searchParams.get('next') ?? r.form.get('next'))
  const again = r.url.searchParams.get('again') === '1'
  const hasPassword = s.app.services.accounts.hasPassword(s.account.did)
  const hasPasskeys = s.app.services.accounts.factors.passkeys.list(s.account.did).length > 0
  return accountPage(
    s,
    {
      title: 'Confirm your password',
      current: '',
      children: (
        <section class="card">
          <h1>Confirm it is you</h1>
          <p>{!hasPasskeys ? 'For this change, enter your password again.' : hasPassword ? 'For this change, enter your password again or use one of your passkeys.' : 'For this change, use one of your passkeys.'}</p>
          {again && <Notice>It had been a while since you last confirmed it is you, so nothing was changed yet. Confirm it, then make the change again.</Notice>}
          {errors.form && <Notice kind="error">{errors.form}</Notice>}
          {hasPassword && (
          <Form action={REAUTH_PATH} csrf={r.csrf} label="Confirm your password">
            <input type="hidden" name="next" value={next} />
            <Field name="password" label="Password" type="password" autocomplete="current-password" required errors={errors} />
            <button type="submit">Continue</button>
          </Form>
          )}
          {hasPasskeys && <PasskeySignIn action={`${REAUTH_PATH}/passkey`} optionsUrl={`${REAUTH_PATH}/passkey/options`} csrf={r.csrf} fields={{ next }} label="Confirm with a passkey" formLabel="Confirm with a passkey" />}
        </section>
      ),
    },
    { status },
  )
}

export const showConfirmPassword = (r: WebRequest) => confirmView(r)

export async function submitConfirmPassword(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const password = raw(r.form, 'password')
  if (!password) return confirmView(r, { password: 'Enter your password.' }, 400)
  if (!(await s.app.services.accounts.verifyPassword(s.account.did, password))) {
    return confirmView(r, { password: 'That is not your account password.' }, 401)
  }
  s.app.services.accounts.webSessions.reauthenticated(s.session.id)
  return seeOther(safeNext(r.form.get('next')), r.cookies)
}
