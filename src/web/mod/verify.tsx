/** @jsxImportSource ../ui/jsx */
// The console's step-up: a member whose web session has no recent second factor (signed in with a password
// from a remembered browser, or hours ago) gives one here: a code from the authenticator app, an emailed
// code, a backup code, or a passkey of their own account. Then back to the console page they asked for.
import { DomainError } from '../../services/errors.ts'
import { Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { PageProblem, serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { PasskeySignIn } from '../ui/passkey.tsx'
import type { SignedIn, WebRequest } from '../account/context.ts'
import { asSignedIn } from '../account/router.ts'
import { accountPage } from '../account/shell.tsx'
import { RECOVERY_PATH } from '../../services/factors/recovery.ts'
import { hasSecondFactor, MOD_BASE } from './context.ts'
import { MOD_VERIFY_PATH, setUpFactorPage } from './gate.tsx'

const CODE_LABEL = 'Code from your authenticator app or email, or a backup code'

/** Where to go afterwards: a console page only. */
function nextOf(r: WebRequest): string {
  const next = r.url.searchParams.get('next') ?? r.form.get('next')
  return next && next.startsWith(MOD_BASE) && !next.startsWith('//') && !/[\\\r\n]/.test(next) && !next.startsWith(MOD_VERIFY_PATH) ? next : MOD_BASE
}

/** The signed-in member, or the refusal: not on the team (403), or no factor to give (the set-up page). */
function memberWithFactor(r: WebRequest): SignedIn | Response {
  const s = asSignedIn(r)
  if (!s.app.services.moderation?.callerFor(s.account.did)) {
    throw new PageProblem(403, 'Not on the moderation team', 'This console is for members of the moderation team. Ask the team lead to add your account.')
  }
  return hasSecondFactor(s.app.services.accounts.factors.status(s.account.did)) ? s : setUpFactorPage(r)
}

function view(s: SignedIn, o: { errors?: FieldErrors; notice?: string; status?: number } = {}): Response {
  const status = s.app.services.accounts.factors.status(s.account.did)
  const next = nextOf(s)
  const codes = status.totp || status.emailAuthFactor
  return accountPage(
    s,
    {
      title: 'Confirm with your second factor',
      current: '',
      children: (
        <section class="card">
          <h1>Confirm with your second factor</h1>
          <p>The moderation console asks for your second factor once in a while, besides your password.</p>
          {s.url.searchParams.get('again') === '1' && <Notice>Your form was not sent: confirm with your second factor first, then do it again.</Notice>}
          {o.notice && <Notice kind="ok">{o.notice}</Notice>}
          {o.errors?.form && <Notice kind="error">{o.errors.form}</Notice>}
          {codes && (
            <Form action={MOD_VERIFY_PATH} csrf={s.csrf} label="Confirm with a code">
              <input type="hidden" name="next" value={next} />
              <Field name="code" label={CODE_LABEL} autocomplete="one-time-code" spellcheck={false} required errors={o.errors} />
              <button type="submit">Continue</button>
              {status.emailAuthFactor && (
                <>
                  {' '}
                  <button type="submit" class="secondary" formaction={`${MOD_VERIFY_PATH}/send-code`} formnovalidate>
                    Send me a code
                  </button>
                </>
              )}
            </Form>
          )}
          {status.passkeys > 0 && (
            <PasskeySignIn action={`${MOD_VERIFY_PATH}/passkey`} optionsUrl={`${MOD_VERIFY_PATH}/passkey/options`} csrf={s.csrf} fields={{ next }} label="Confirm with a passkey" formLabel="Confirm with a passkey" />
          )}
          <p class="small">
            <a href={RECOVERY_PATH}>Lost your authenticator app, backup codes or passkeys?</a>
          </p>
        </section>
      ),
    },
    { status: o.status },
  )
}

const verified = (s: SignedIn, next: string) => {
  s.app.services.accounts.webSessions.factorGiven(s.session.id)
  return seeOther(next, s.cookies)
}

/** GET /account/mod/verify */
export function showVerify(r: WebRequest): Response {
  const s = memberWithFactor(r)
  return s instanceof Response ? s : view(s)
}

/** POST /account/mod/verify: a code (authenticator, emailed or backup), each usable once, with the sign-in's lockout. */
export async function submitVerify(r: WebRequest): Promise<Response> {
  const s = memberWithFactor(r)
  if (s instanceof Response) return s
  const code = field(r.form, 'code')
  if (!code) return view(s, { errors: { code: 'Enter the code.' }, status: 400 })
  try {
    const used = await s.app.services.accounts.factors.checkSignIn(s.account.did, code, r.ip)
    if (!used) return view(s, { errors: { form: 'Your account has no code factor: use your passkey.' }, status: 400 })
  } catch (err) {
    if (err instanceof DomainError && err.kind !== 'internal') return view(s, { errors: { code: err.message }, status: 401 })
    throw err
  }
  return verified(s, nextOf(r))
}

/** POST /account/mod/verify/send-code: a fresh sign-in code to the member's preferred channel. */
export async function sendVerifyCode(r: WebRequest): Promise<Response> {
  const s = memberWithFactor(r)
  if (s instanceof Response) return s
  if (!s.app.services.accounts.factors.emailAuthFactor(s.account.did)) return view(s, { errors: { form: 'Sign-in codes by email are not on for your account.' }, status: 400 })
  try {
    await s.app.services.accounts.factors.checkSignIn(s.account.did, undefined, r.ip)
  } catch (err) {
    // AuthFactorTokenRequired says where the code went; anything else (a lockout) is a refusal.
    if (err instanceof DomainError && err.code === 'AuthFactorTokenRequired') return view(s, { notice: err.message.endsWith('.') ? err.message : `${err.message}.` })
    if (err instanceof DomainError && err.kind !== 'internal') return view(s, { errors: { form: err.message }, status: err.kind === 'rate-limited' ? 429 : 400 })
    throw err
  }
  return view(s)
}

/** POST /account/mod/verify/passkey: one of this account's own passkeys. */
export async function submitVerifyPasskey(r: WebRequest): Promise<Response> {
  const s = memberWithFactor(r)
  if (s instanceof Response) return s
  let did: string
  try {
    did = await s.app.services.accounts.factors.signInWithPasskey(JSON.parse(field(r.form, 'response') || 'null'))
  } catch (err) {
    const message = err instanceof SyntaxError ? 'Your browser did not give a passkey. Try again.' : serviceMessage(err)
    if (!message) throw err
    return view(s, { errors: { form: message }, status: 401 })
  }
  if (did !== s.account.did) return view(s, { errors: { form: 'That passkey belongs to another account. Use one of this account’s passkeys.' }, status: 401 })
  return verified(s, nextOf(r))
}
