/** @jsxImportSource ../ui/jsx */
// /account/email: confirm the address (code by email), and change it with the reference's flow: when
// the current address is confirmed, a code goes to it first (requestEmailUpdate), then the new address
// and that code (updateEmail). The new address starts unconfirmed.
import { ActionButton, Card, Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { serviceErrorName, serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

const PATH = `${BASE}/email`
const NOTICES: Record<string, string> = {
  welcome: 'Welcome! Your account is ready. We sent a code to your email address: enter it below to confirm the address.',
  'confirmation-sent': 'We sent a confirmation code to your email address. It works for 15 minutes.',
  confirmed: 'Your email address is confirmed.',
  'change-code-sent': 'We sent a code to your current address. Enter it with your new address below.',
  changed: 'Your email address was changed. Confirm the new address with the code we can send it.',
}

const CODE_HINT = 'The code looks like ABCDE-23456.'

function view(s: SignedIn, o: { errors?: FieldErrors; values?: Record<string, string>; status?: number; changeStep?: boolean } = {}) {
  const { account } = s
  const notice = NOTICES[s.url.searchParams.get('done') ?? '']
  const changeStep = o.changeStep ?? s.url.searchParams.get('step') === 'change'
  const tokenRequired = !!account.emailConfirmedAt
  return accountPage(
    s,
    {
      title: 'Email',
      current: PATH,
      children: (
        <>
          <h1>Email</h1>
          {notice && <Notice kind="ok">{notice}</Notice>}
          <Card title="Your address">
            <p>
              {account.email ?? 'No address'}{' '}
              {account.email && (account.emailConfirmedAt ? <span class="badge ok">Confirmed</span> : <span class="badge warn">Not confirmed</span>)}
            </p>
            {account.email && !account.emailConfirmedAt && (
              <>
                <ActionButton action={`${PATH}/send-confirmation`} csrf={s.csrf} label="Send me a confirmation code" variant="secondary" />
                <Form action={`${PATH}/confirm`} csrf={s.csrf} label="Confirm your address">
                  <Field name="token" label="Confirmation code" hint={CODE_HINT} autocomplete="one-time-code" spellcheck={false} value={o.values?.token} errors={o.errors} required />
                  <button type="submit">Confirm address</button>
                </Form>
              </>
            )}
          </Card>
          <Card title="Change your address">
            {changeStep || !tokenRequired ? (
              <Form action={`${PATH}/change`} csrf={s.csrf} label="Change your address">
                <Field name="email" type="email" label="New email address" autocomplete="email" value={o.values?.email} errors={o.errors} required />
                {tokenRequired && (
                  <Field name="token" label="Code sent to your current address" hint={CODE_HINT} autocomplete="one-time-code" spellcheck={false} value={o.values?.changeToken} errors={o.errors} required />
                )}
                <button type="submit">Change address</button>
              </Form>
            ) : (
              <>
                <p>First we send a code to your current address, to be sure the change comes from you.</p>
                <ActionButton action={`${PATH}/request-change`} csrf={s.csrf} label="Send me a code" />
              </>
            )}
          </Card>
        </>
      ),
    },
    { status: o.status },
  )
}

export const showEmail = (r: WebRequest) => view(asSignedIn(r))

/** POST /account/email/send-confirmation (also the dashboard's button). */
export async function sendConfirmation(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  if (s.account.emailConfirmedAt) return seeOther(`${PATH}?done=confirmed`)
  await s.app.services.accounts.requestEmailConfirmation(s.account.did)
  return seeOther(`${PATH}?done=confirmation-sent`)
}

/** POST /account/email/confirm */
export function confirmEmail(r: WebRequest): Response {
  const s = asSignedIn(r)
  const token = field(r.form, 'token')
  if (!token) return view(s, { errors: { token: 'Enter the code from the email.' }, status: 400 })
  try {
    s.app.services.accounts.confirmEmail(s.account.did, s.account.email ?? '', token)
  } catch (err) {
    return view(s, { errors: { token: codeMessage(err) }, values: { token }, status: 400 })
  }
  return seeOther(`${PATH}?done=confirmed`)
}

/** POST /account/email/request-change: the code to the current address. */
export async function requestChange(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const { tokenRequired } = await s.app.services.accounts.requestEmailUpdate(s.account.did)
  return seeOther(tokenRequired ? `${PATH}?step=change&done=change-code-sent` : `${PATH}?step=change`)
}

/** POST /account/email/change */
export async function changeEmail(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const email = field(r.form, 'email').toLowerCase()
  const token = field(r.form, 'token')
  const values = { email, changeToken: token }
  if (!email || !email.includes('@')) return view(s, { errors: { email: 'Enter an email address, like you@example.com.' }, values, status: 400, changeStep: true })
  if (s.account.emailConfirmedAt && !token) return view(s, { errors: { token: 'Enter the code we sent to your current address.' }, values, status: 400, changeStep: true })
  try {
    // Awaited: a refused code or a taken address must reach the catch, not pass as a change.
    await s.app.services.accounts.updateEmail(s.account.did, email, token || undefined)
  } catch (err) {
    const name = serviceErrorName(err)
    const onToken = name === 'InvalidToken' || name === 'ExpiredToken' || name === 'TokenRequired'
    const message = onToken ? codeMessage(err) : serviceMessage(err)
    if (!message) throw err
    return view(s, { errors: onToken ? { token: message } : { email: message }, values, status: 400, changeStep: true })
  }
  return seeOther(`${PATH}?done=changed`)
}

/** Email codes: wrong and expired said plainly. */
export function codeMessage(err: unknown): string {
  const name = serviceErrorName(err)
  if (name === 'ExpiredToken') return 'This code has expired. Ask for a new one.'
  if (name === 'InvalidToken' || name === 'TokenRequired') return 'That code is not right. Check the latest email and try again.'
  const message = serviceMessage(err)
  if (message) return message
  throw err
}
