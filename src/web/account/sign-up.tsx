/** @jsxImportSource ../ui/jsx */
// /account/sign-up: a new account on this server. A handle on the server's domains (checked live as it
// is typed, and again on submit), email, password with a strength hint, the invite code when the server
// needs one; then the person is signed in and asked to confirm their email with a mailed code. With
// ?with=passkey the account has no password: the browser makes a passkey for it instead (the client
// script asks /account/sign-up/passkey-options, then sends the answer with the form).
import { Checkbox, Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { serviceErrorName, serviceMessage } from '../ui/errors.ts'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, SIGN_IN_PATH, type WebRequest } from './context.ts'
import { newPasswordProblem, PASSWORD_HINT } from './password-rules.ts'
import { sessionCookie } from './router.ts'
import { publicPage } from './shell.tsx'

export const SIGN_UP_PATH = `${BASE}/sign-up`
type Values = { name?: string; suffix?: string; email?: string; invite?: string; didWeb?: boolean }

/** ?with=passkey (or the posted form's `with`): sign up with a passkey and no password. */
const withPasskey = (r: WebRequest) => (r.url.searchParams.get('with') ?? r.form.get('with')) === 'passkey'

function view(r: WebRequest, o: { values?: Values; errors?: FieldErrors; status?: number } = {}) {
  const { config } = r.app.services
  const passkey = withPasskey(r)
  const domains = config.identity.serviceHandleDomains
  const v = o.values ?? {}
  return publicPage(
    r,
    {
      title: 'Create an account',
      children: (
        <section class="card">
          <h1>Create an account</h1>
          <p class="muted">On {config.service.hostname}. Your account works with every app on the AT Protocol network.</p>
          {o.errors?.form && <Notice kind="error">{o.errors.form}</Notice>}
          <form
            method="post"
            action={SIGN_UP_PATH}
            aria-label="Create an account"
            data-handle-check={`${SIGN_UP_PATH}/handle-available`}
            data-passkey-options={passkey ? `${SIGN_UP_PATH}/passkey-options` : undefined}
          >
            <input type="hidden" name="csrf_token" value={r.csrf} />
            <Field name="name" label="Handle" hint="3 to 18 letters, digits or hyphens. You can change it later, or use your own domain." value={v.name} spellcheck={false} errors={o.errors} required />
            <p class="hint" id="handle-status" role="status" aria-live="polite"></p>
            <label for="f-suffix">Handle domain</label>
            <select id="f-suffix" name="suffix">
              {domains.map((d) => (
                <option value={d} selected={d === v.suffix}>
                  {d}
                </option>
              ))}
            </select>
            <Field name="email" type="email" label="Email address" hint="For sign-in help and important messages; we send it a code to confirm." value={v.email} autocomplete="email" errors={o.errors} required />
            {passkey ? (
              <>
                <input type="hidden" name="with" value="passkey" />
                <input type="hidden" name="response" value="" />
                <p class="hint">No password: your browser or phone makes a passkey for this account, and you sign in with it. You can add a password later.</p>
              </>
            ) : (
              <>
                <Field name="password" type="password" label="Password" hint={PASSWORD_HINT} autocomplete="new-password" errors={o.errors} required />
                <Field name="repeat" type="password" label="Password again" autocomplete="new-password" errors={o.errors} required />
              </>
            )}
            <Checkbox
              name="didWeb"
              label="Use did:web:<handle> as my identity (advanced)"
              checked={v.didWeb}
              hint="This server then publishes your identity under your handle's name. It can never move to another server's domain: if you leave this server, you start over with a new identity and lose your followers. Leave this off for the usual did:plc, which can move."
            />
            {config.invites.required && <Field name="invite" label="Invite code" hint="This server needs one to sign up." value={v.invite} spellcheck={false} errors={o.errors} required />}
            <button type="submit">{passkey ? 'Create account with a passkey' : 'Create account'}</button>
          </form>
          <p>
            {passkey ? <a href={SIGN_UP_PATH}>Use a password instead</a> : <a href={`${SIGN_UP_PATH}?with=passkey`}>Create an account with a passkey instead of a password</a>}
          </p>
          <p>
            Already have an account? <a href={SIGN_IN_PATH}>Sign in</a>
          </p>
        </section>
      ),
    },
    { status: o.status },
  )
}

export function showSignUp(r: WebRequest): Response {
  if (r.session) return seeOther(BASE, r.cookies)
  return view(r)
}

/** GET /account/sign-up/handle-available?handle= (the live check; JSON). */
export async function handleAvailable(r: WebRequest): Promise<Response> {
  const handle = (r.url.searchParams.get('handle') ?? '').trim().toLowerCase().slice(0, 253)
  const result = await r.app.services.accounts.handleAvailability(handle)
  return Response.json(result, { headers: { 'Cache-Control': 'no-store' } })
}

/** POST /account/sign-up/passkey-options: creation options (JSON) for the passkey of the account being made. */
export async function signUpPasskeyOptions(r: WebRequest): Promise<Response> {
  const userName = `${field(r.form, 'name')}${field(r.form, 'suffix')}`.toLowerCase().slice(0, 253) || 'new account'
  return Response.json(await r.app.services.accounts.factors.passkeys.signUpOptions(userName), { headers: { 'Cache-Control': 'no-store' } })
}

/** Which field a createAccount refusal is about. */
function fieldOf(err: unknown): keyof Values | 'password' | 'form' {
  const name = serviceErrorName(err)
  const message = serviceMessage(err) ?? ''
  if (name === 'InvalidInviteCode') return 'invite'
  if (name === 'InvalidHandle' || name === 'HandleNotAvailable' || name === 'UnsupportedDomain' || /handle/i.test(message)) return 'name'
  if (/email/i.test(message)) return 'email'
  if (/password/i.test(message)) return 'password'
  return 'form'
}

/** POST /account/sign-up */
export async function submitSignUp(r: WebRequest): Promise<Response> {
  const { accounts, config } = r.app.services
  const values: Values = { name: field(r.form, 'name').toLowerCase().replace(/^@/, ''), suffix: field(r.form, 'suffix'), email: field(r.form, 'email'), invite: field(r.form, 'invite'), didWeb: r.form.get('didWeb') === '1' }
  const password = raw(r.form, 'password')
  const errors: FieldErrors = {}
  if (!config.identity.serviceHandleDomains.includes(values.suffix!)) errors.name = 'Choose one of the listed domains.'
  else if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(values.name!)) errors.name = 'Use only letters, digits and hyphens (not at the start or end).'
  if (!/^[^@\s]+@[^@\s]+$/.test(values.email!)) errors.email = 'Enter an email address, like you@example.com.'
  const passkey = withPasskey(r)
  const problem = passkey ? null : newPasswordProblem(password, raw(r.form, 'repeat'))
  if (problem) errors[problem.field] = problem.message
  if (config.invites.required && !values.invite) errors.invite = 'Enter your invite code.'
  if (Object.keys(errors).length) return view(r, { values, errors, status: 400 })

  let response: unknown
  if (passkey) {
    try {
      response = JSON.parse(field(r.form, 'response'))
    } catch {
      return view(r, { values, errors: { form: 'Your browser did not create a passkey. Try again, or create the account with a password.' }, status: 400 })
    }
  }
  let did: string
  try {
    const handle = `${values.name}${values.suffix}`
    const input = { handle, email: values.email, inviteCode: values.invite || undefined, did: values.didWeb ? `did:web:${handle}` : undefined }
    const created = passkey
      ? await accounts.createAccountWithPasskey(input, { name: 'Passkey from sign-up', response })
      : await accounts.createAccount({ ...input, password }, null)
    did = created.did
    accounts.signIns.remember(did, r.device)
    // createAccount also opens an API session (its tokens are not used here): end it.
    accounts.revokeAllPasswordSessions(did)
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    const at = fieldOf(err)
    const text = at === 'name' && /taken/i.test(message) ? 'That handle is taken.' : at === 'invite' ? 'That invite code is not valid or has been used up.' : message
    return view(r, { values, errors: { [at]: text }, status: 400 })
  }
  const { secret } = accounts.webSessions.start(did, r.device, r.secret)
  // The confirmation code is a convenience: the account exists even if the mail cannot go out now.
  const sent = await accounts.requestEmailConfirmation(did).then(
    () => true,
    (err) => {
      r.app.services.log.warn('sign-up confirmation mail failed', { did, err })
      return false
    },
  )
  return seeOther(sent ? `${BASE}/email?done=welcome` : BASE, [sessionCookie(r.app, secret)])
}
