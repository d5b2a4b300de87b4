/** @jsxImportSource ../ui/jsx */
// Signed out: "lost your second factors" (src/services/factors/recovery.ts). Asking (handle or email)
// mails the account's address two links and says the same whether or not the account exists; the
// finish link works only after the delay and sets a new password; the cancel link ends it. Signed in,
// the Security view shows a pending recovery with a cancel button (recoveryNotice below).
import { ActionButton, Card, Field, Form, Notice, When, type FieldErrors } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { RECOVERY_PATH } from '../../services/factors/recovery.ts'
import type { Child } from '../ui/jsx/jsx-runtime.ts'
import { BASE, SIGN_IN_PATH, type SignedIn, type WebRequest } from './context.ts'
import { newPasswordProblem, PASSWORD_HINT } from './password-rules.ts'
import { asSignedIn } from './router.ts'
import { publicPage } from './shell.tsx'

export const RECOVER_ROUTES = { ask: RECOVERY_PATH, finish: `${RECOVERY_PATH}/finish`, cancel: `${RECOVERY_PATH}/cancel`, cancelSignedIn: `${BASE}/security/recovery/cancel` }

function delayInWords(r: WebRequest): string {
  const hours = Math.round(r.app.services.config.factors.recoveryDelayMs / 3_600_000)
  if (hours >= 24 && hours % 24 === 0) return `${hours / 24} day${hours === 24 ? '' : 's'}`
  return hours >= 1 ? `${hours} hour${hours === 1 ? '' : 's'}` : 'a few minutes'
}

function page(r: WebRequest, title: string, body: Child, status = 200) {
  return publicPage(r, { title, children: <section class="card">{body}</section> }, { status })
}

function askView(r: WebRequest, o: { identifier?: string; errors?: FieldErrors; sent?: boolean; status?: number } = {}) {
  const delay = delayInWords(r)
  return page(
    r,
    'Lost your second factor',
    <>
      <h1>Lost your authenticator app or passkeys?</h1>
      {o.sent ? (
        <Notice kind="ok">
          If that account has second factors and an email address, we sent the address a link. It works after {delay}; until then the account holder can cancel it.
        </Notice>
      ) : (
        <>
          <p>
            We email the account’s address a link. After {delay} it removes the authenticator app, backup codes, email codes and passkeys and lets you choose a new password. The wait
            gives the account holder time to cancel if it was not them: signing in with a factor cancels it.
          </p>
          <Form action={RECOVER_ROUTES.ask} csrf={r.csrf} label="Ask for a recovery">
            <Field name="identifier" label="Handle or email" value={o.identifier} autocomplete="username" spellcheck={false} errors={o.errors} required />
            <button type="submit">Email me a recovery link</button>
          </Form>
        </>
      )}
      <p>
        Can you not wait, or no longer read that email? The server’s operator can remove your second factors after checking who you are. <a href={SIGN_IN_PATH}>Back to sign in</a>
      </p>
    </>,
    o.status,
  )
}

export const showRecover = (r: WebRequest) => askView(r)

/** POST /account/recover: the same answer whether or not the account exists or has factors. */
export async function submitRecover(r: WebRequest): Promise<Response> {
  const identifier = field(r.form, 'identifier').replace(/^@/, '')
  if (!identifier) return askView(r, { errors: { identifier: 'Enter your handle or your email address.' }, status: 400 })
  const { accounts, log } = r.app.services
  const account = accounts.findAccount(identifier)
  if (account) await accounts.factors.requestRecovery(account.did).catch((err) => log.warn('could not mail a factor recovery', { did: account.did, err: String(err) }))
  return askView(r, { sent: true })
}

const tokenOf = (r: WebRequest) => field(r.form, 'token') || (r.url.searchParams.get('token') ?? '').trim()

function finishView(r: WebRequest, o: { errors?: FieldErrors; status?: number } = {}) {
  const token = tokenOf(r)
  const found = r.app.services.accounts.factors.recovery.byToken(token)
  if (!found) return page(r, 'Recovery', <Notice kind="error">This recovery link is not valid: it was cancelled, used, or replaced by a newer one.</Notice>, 404)
  if (!found.due) {
    return page(
      r,
      'Recovery',
      <>
        <h1>Not yet</h1>
        <p>
          This recovery can be finished after <When at={found.dueAt} />. Until then the account holder can cancel it. Come back to this link then.
        </p>
      </>,
      o.status ?? 409,
    )
  }
  return page(
    r,
    'Finish the recovery',
    <>
      <h1>Choose a new password</h1>
      <p>This removes every second factor of the account (authenticator app, backup codes, email codes, passkeys) and signs it out everywhere.</p>
      {o.errors?.form && <Notice kind="error">{o.errors.form}</Notice>}
      <Form action={RECOVER_ROUTES.finish} csrf={r.csrf} label="Finish the recovery">
        <input type="hidden" name="token" value={token} />
        <Field name="password" type="password" label="New password" hint={PASSWORD_HINT} autocomplete="new-password" errors={o.errors} required />
        <Field name="repeat" type="password" label="New password again" autocomplete="new-password" errors={o.errors} required />
        <button type="submit">Remove my second factors</button>
      </Form>
    </>,
    o.status,
  )
}

export const showFinishRecovery = (r: WebRequest) => finishView(r)

/** POST /account/recover/finish */
export async function submitFinishRecovery(r: WebRequest): Promise<Response> {
  const problem = newPasswordProblem(raw(r.form, 'password'), raw(r.form, 'repeat'))
  if (problem) return finishView(r, { errors: { [problem.field]: problem.message }, status: 400 })
  try {
    await r.app.services.accounts.finishFactorRecovery(tokenOf(r), raw(r.form, 'password'))
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return finishView(r, { errors: { form: message }, status: 400 })
  }
  return seeOther(`${SIGN_IN_PATH}?notice=recovered`)
}

export function showCancelRecovery(r: WebRequest): Response {
  const found = r.app.services.accounts.factors.recovery.byToken(tokenOf(r))
  if (!found) return page(r, 'Recovery', <Notice kind="error">There is nothing to cancel: this recovery was cancelled, finished or replaced.</Notice>, 404)
  return page(
    r,
    'Cancel the recovery',
    <>
      <h1>Cancel the recovery?</h1>
      <p>
        Someone asked to remove your second factors; it would happen after <When at={found.dueAt} />. If it was not you, cancel it, and consider changing your password.
      </p>
      <Form action={RECOVER_ROUTES.cancel} csrf={r.csrf} label="Cancel the recovery">
        <input type="hidden" name="token" value={tokenOf(r)} />
        <button type="submit">Cancel the recovery</button>
      </Form>
    </>,
  )
}

/** POST /account/recover/cancel with the mailed token. */
export async function submitCancelRecovery(r: WebRequest): Promise<Response> {
  const factors = r.app.services.accounts.factors
  const found = factors.recovery.byToken(tokenOf(r))
  if (found) await factors.cancelRecovery(found.did, 'self')
  return page(r, 'Recovery cancelled', <Notice kind="ok">The recovery is cancelled; your second factors stay as they are.</Notice>)
}

/** The Security view's notice of a pending recovery, with a way to cancel it. */
export function RecoveryNotice(p: { s: SignedIn }) {
  const pending = p.s.app.services.accounts.factors.recovery.pending(p.s.account.did)
  if (!pending) return null
  return (
    <Card title="Recovery requested">
      <p role="alert">
        Someone asked (by email) to remove your second factors. It happens after <When at={pending.dueAt} /> unless you cancel it.
      </p>
      <ActionButton action={RECOVER_ROUTES.cancelSignedIn} csrf={p.s.csrf} label="Cancel the recovery" variant="danger" />
    </Card>
  )
}

/** POST /account/security/recovery/cancel */
export async function cancelRecoverySignedIn(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  await s.app.services.accounts.factors.cancelRecovery(s.account.did, 'self')
  return seeOther(`${BASE}/security?done=recovery-cancelled`)
}
