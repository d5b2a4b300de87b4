/** @jsxImportSource ../ui/jsx */
// /account/delete: deletion by the owner, as the reference does it: a code sent by email
// (requestAccountDelete), then the code and the password (deleteAccount). Everything goes: repo,
// blobs, sessions, the account itself; the network hears that the account was deleted.
import { ActionButton, Card, Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { serviceErrorName } from '../ui/errors.ts'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, SIGN_IN_PATH, type SignedIn, type WebRequest } from './context.ts'
import { codeMessage } from './email.tsx'
import { asSignedIn, endSessionCookie } from './router.ts'
import { accountPage } from './shell.tsx'

const PATH = `${BASE}/delete`

function view(s: SignedIn, o: { errors?: FieldErrors; token?: string; status?: number } = {}) {
  const sent = s.url.searchParams.get('done') === 'code-sent' || o.errors !== undefined
  return accountPage(
    s,
    {
      title: 'Delete your account',
      current: '',
      children: (
        <>
          <h1>Delete your account</h1>
          <Card title="What happens">
            <ul>
              <li>
                Your repository (every post, like, follow and profile record), your uploaded files, app passwords and sessions are deleted from this server. This cannot be undone.
              </li>
              <li>The network is told the account was deleted; apps stop showing it. Copies others already made (for example replies quoting you) are theirs.</li>
              <li>
                Want a copy first? <a href={`${BASE}/data`}>Download your repository</a>. Want a pause instead? <a href={`${BASE}/deactivate`}>Deactivate</a>.
              </li>
            </ul>
          </Card>
          <Card title="Confirm">
            {!s.account.email ? (
              <p>This account has no email address, so the code that confirms deletion cannot be sent. Ask the server’s operator.</p>
            ) : (
              <>
                {sent && !o.errors && <Notice kind="ok">We sent a code to {s.account.email}. It works for 15 minutes.</Notice>}
                <ActionButton action={`${PATH}/send-code`} csrf={s.csrf} label={sent ? 'Send another code' : 'Email me a deletion code'} variant="secondary" />
                {sent && (
                  <Form action={PATH} csrf={s.csrf} label="Delete your account">
                    <Field name="token" label="Code from the email" hint="The code looks like ABCDE-23456." autocomplete="one-time-code" spellcheck={false} value={o.token} errors={o.errors} required />
                    <Field name="password" type="password" label="Your password" autocomplete="current-password" errors={o.errors} required />
                    <button type="submit" class="danger">
                      Delete my account for good
                    </button>
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

export const showDeleteAccount = (r: WebRequest) => view(asSignedIn(r))

/** POST /account/delete/send-code */
export async function sendDeleteCode(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  await s.app.services.accounts.requestAccountDelete(s.account.did)
  return seeOther(`${PATH}?done=code-sent`)
}

/** POST /account/delete */
export async function deleteAccount(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const token = field(r.form, 'token')
  const password = raw(r.form, 'password')
  if (!token) return view(s, { errors: { token: 'Enter the code from the email.' }, status: 400 })
  if (!password) return view(s, { errors: { password: 'Enter your password.' }, token, status: 400 })
  try {
    await s.app.services.accounts.deleteAccountWithToken(s.account.did, password, token)
  } catch (err) {
    if (serviceErrorName(err) === 'AuthenticationRequired') return view(s, { errors: { password: 'That is not your account password.' }, token, status: 400 })
    return view(s, { errors: { token: codeMessage(err) }, token, status: 400 })
  }
  s.app.services.accounts.webSessions.endAll(s.account.did)
  return seeOther(`${SIGN_IN_PATH}?notice=deleted`, [endSessionCookie(s.app)])
}
