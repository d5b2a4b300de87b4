/** @jsxImportSource ../ui/jsx */
// /account/security: the second factors (src/services/factors). Which are on; an authenticator app set
// up with its QR code (drawn on the server, inline SVG markup: no external image) and one code, then the
// ten backup codes shown once; turning it off; new backup codes; the email sign-in code on or off (only
// with a confirmed address); the passkeys with add and remove; trusted browsers (trusted-browsers.tsx);
// passkeys only (passkey-only.tsx). Every change needs the recent password (or a passkey).
import { raw } from '../ui/jsx/jsx-runtime.ts'
import { ActionButton, Card, CSRF_FIELD, Field, Form, Notice, When, type FieldErrors } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import type { TotpSetup } from '../../services/factors/factor-service.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'
import { PasskeyOnlyCard } from './passkey-only.tsx'
import { TrustedBrowsersCard } from './trusted-browsers.tsx'
import { RecoveryNotice } from './recover.tsx'

export const SECURITY_PATH = `${BASE}/security`
const PATH = SECURITY_PATH

const NOTICES: Record<string, string> = {
  'passkey-added': 'The passkey was added; you can sign in with it.',
  'totp-off': 'The authenticator app was removed; its backup codes no longer work.',
  'setup-cancelled': 'The authenticator set-up was cancelled.',
  'email-on': 'Signing in now also asks for a code we email you.',
  'email-off': 'Signing in no longer asks for an emailed code.',
  'passkey-removed': 'The passkey was removed.',
  'password-removed': 'Your password was removed. You sign in with your passkeys now.',
  'browser-forgotten': 'That browser will ask for a code again.',
  'browsers-forgotten': 'Every trusted browser will ask for a code again.',
  'recovery-cancelled': 'The recovery was cancelled; your second factors stay.',
}
const PROBLEMS: Record<string, string> = {
  'no-passkey': 'Add a passkey first: without a password, your passkeys are how you sign in.',
}

type View = { setup?: TotpSetup; backupCodes?: string[]; errors?: FieldErrors; problem?: string; status?: number }

function BackupCodes(p: { codes: string[] }) {
  return (
    <section class="card" aria-labelledby="backup-title">
      <h2 id="backup-title">Your backup codes</h2>
      <p>Keep these somewhere safe. Each one signs you in once if you do not have your phone. They are shown only this once.</p>
      <ul class="codes" aria-label="Backup codes">
        {p.codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </section>
  )
}

function TotpSetupCard(p: { s: SignedIn; setup: TotpSetup; errors?: FieldErrors }) {
  // The SVG comes from the server's own QR encoder (only <svg>, <rect>, <path> with fill attributes).
  const svg = p.setup.qrSvg.startsWith('<svg') ? p.setup.qrSvg : ''
  return (
    <section class="card" aria-labelledby="setup-title">
      <h2 id="setup-title">Set up your authenticator app</h2>
      <p>Scan this code with your authenticator app.</p>
      <div class="qr" role="img" aria-label="QR code for your authenticator app">
        {raw(svg)}
      </div>
      <p class="muted small">Or type this key into the app:</p>
      <p>
        <code class="secret" id="totp-secret">{p.setup.secret}</code>
      </p>
      <Form action={`${PATH}/totp/finish`} csrf={p.s.csrf} label="Finish authenticator set-up">
        <Field name="code" label="Code from your app" hint="The six digits your app shows now." autocomplete="one-time-code" spellcheck={false} errors={p.errors} required />
        <button type="submit">Turn on</button>
      </Form>
      <ActionButton action={`${PATH}/totp/cancel`} csrf={p.s.csrf} label="Cancel set-up" variant="secondary" small />
    </section>
  )
}

function view(s: SignedIn, o: View = {}) {
  const factors = s.app.services.accounts.factors
  const did = s.account.did
  const status = factors.status(did)
  const passkeys = factors.passkeys.list(did)
  // A set-up left half-way is shown again only after the password was confirmed recently (it holds the key).
  const setup = o.setup ?? (status.totpPending && s.session.recentlyAuthenticated ? factors.pendingTotpSetup(did) ?? undefined : undefined)
  const notice = NOTICES[s.url.searchParams.get('done') ?? '']
  const problem = o.problem ?? PROBLEMS[s.url.searchParams.get('problem') ?? '']
  const on = (b: boolean) => (b ? <span class="badge ok">On</span> : <span class="badge">Off</span>)
  return accountPage(
    s,
    {
      title: 'Security',
      current: PATH,
      children: (
        <>
          <h1>Security</h1>
          {notice && <Notice kind="ok">{notice}</Notice>}
          {problem && <Notice kind="error">{problem}</Notice>}
          <RecoveryNotice s={s} />
          {o.backupCodes && <BackupCodes codes={o.backupCodes} />}
          <Card title="Second factors">
            <p>After your password, signing in also asks for one of these when it is on.</p>
            <ul class="items">
              <li>
                <div class="what">Authenticator app {on(status.totp)}</div>
              </li>
              <li>
                <div class="what">
                  Backup codes <span class="muted small">{status.totp ? `${status.backupCodesRemaining} left` : 'come with an authenticator app'}</span>
                </div>
              </li>
              <li>
                <div class="what">Code by email {on(status.emailAuthFactor)}</div>
              </li>
              <li>
                <div class="what">
                  Passkeys <span class="muted small">{passkeys.length}</span>
                </div>
              </li>
            </ul>
          </Card>
          {setup ? (
            <TotpSetupCard s={s} setup={setup} errors={o.errors} />
          ) : (
            <Card title="Authenticator app">
              {status.totp ? (
                <>
                  <p>Your authenticator app is on. You have {status.backupCodesRemaining} unused backup codes.</p>
                  <div class="row">
                    <ActionButton action={`${PATH}/backup-codes`} csrf={s.csrf} label="New backup codes" variant="secondary" />
                    <ActionButton action={`${PATH}/totp/disable`} csrf={s.csrf} label="Turn off authenticator app" variant="danger" />
                  </div>
                </>
              ) : (
                <>
                  <p>Use an app on your phone (such as a password manager or authenticator) to make a new six-digit code every 30 seconds.</p>
                  {status.totpPending && <p class="muted">A set-up was started and not finished.</p>}
                  <ActionButton action={`${PATH}/totp/begin`} csrf={s.csrf} label="Set up authenticator app" />
                </>
              )}
            </Card>
          )}
          <Card title="Code by email">
            {status.emailAuthFactor ? (
              <>
                <p>Signing in asks for a code we send to {s.account.email}.</p>
                <ActionButton action={`${PATH}/email-code`} csrf={s.csrf} label="Turn off email codes" hidden={{ on: '0' }} variant="secondary" />
              </>
            ) : s.account.email && s.account.emailConfirmedAt ? (
              <>
                <p>Signing in can also ask for a code we send to {s.account.email}.</p>
                <ActionButton action={`${PATH}/email-code`} csrf={s.csrf} label="Turn on email codes" hidden={{ on: '1' }} variant="secondary" />
              </>
            ) : (
              <p>
                Confirm your email address first: <a href={`${BASE}/email`}>Email</a>.
              </p>
            )}
          </Card>
          <Card title="Passkeys">
            {passkeys.length ? (
              <ul class="items">
                {passkeys.map((k) => (
                  <li>
                    <div class="what">
                      <strong>{k.name}</strong>
                      <div class="muted small">
                        Added <When at={k.createdAt} />
                        {k.lastUsedAt && (
                          <>
                            {' · last used '}
                            <When at={k.lastUsedAt} />
                          </>
                        )}
                      </div>
                    </div>
                    <ActionButton action={`${PATH}/passkeys/remove`} csrf={s.csrf} label="Remove" hidden={{ id: k.id }} variant="secondary" small ariaLabel={`Remove passkey ${k.name}`} />
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">You have no passkeys.</p>
            )}
            {/* The Form component's markup, with the options URL for the client script. */}
            <form method="post" action={`${PATH}/passkeys/add`} aria-label="Add a passkey" data-passkey-options={`${PATH}/passkeys/options`}>
              <input type="hidden" name={CSRF_FIELD} value={s.csrf} />
              <Field name="name" label="Passkey name" hint="To recognise it later, for example the device it is on." errors={o.errors} required />
              <input type="hidden" name="response" value="" />
              <button type="submit">Add a passkey</button>
            </form>
          </Card>
          <TrustedBrowsersCard s={s} />
          <PasskeyOnlyCard s={s} passkeys={passkeys.length} />
        </>
      ),
    },
    { status: o.status },
  )
}

/** A refusal from the factor service (wrong state, lockout) as a notice on the page; nothing changed. */
function refused(s: SignedIn, err: unknown, o: View = {}) {
  const message = serviceMessage(err)
  if (!message) throw err
  return view(s, { ...o, problem: o.errors ? undefined : message, status: 400 })
}

export const showSecurity = (r: WebRequest) => view(asSignedIn(r))

/** POST /account/security/totp/begin: answered with the page (the key never sits in a URL). */
export function beginTotp(r: WebRequest): Response {
  const s = asSignedIn(r)
  try {
    return view(s, { setup: s.app.services.accounts.factors.beginTotpSetup(s.account.did) })
  } catch (err) {
    return refused(s, err)
  }
}

/** POST /account/security/totp/finish: one right code turns it on and shows the backup codes once. */
export async function finishTotp(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const factors = s.app.services.accounts.factors
  const code = field(r.form, 'code')
  const setup = factors.pendingTotpSetup(s.account.did) ?? undefined
  if (!setup) return view(s, { problem: 'No set-up is in progress. Start again.', status: 400 })
  if (!/^\d{6}$/.test(code.replace(/\s/g, ''))) return view(s, { setup, errors: { code: 'Enter the six digits your app shows.' }, status: 400 })
  try {
    const { backupCodes } = await factors.finishTotpSetup(s.account.did, code, r.ip)
    return view(s, { backupCodes })
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return view(s, { setup, errors: { code: message }, status: 400 })
  }
}

/** POST /account/security/totp/cancel: drops a set-up that was never finished. */
export async function cancelTotp(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const factors = s.app.services.accounts.factors
  if (factors.status(s.account.did).totpPending) await factors.disableTotp(s.account.did)
  return seeOther(`${PATH}?done=setup-cancelled`)
}

/** POST /account/security/totp/disable */
export async function disableTotp(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  await s.app.services.accounts.factors.disableTotp(s.account.did)
  return seeOther(`${PATH}?done=totp-off`)
}

/** POST /account/security/backup-codes: a new set, shown once; the old set stops working. */
export async function regenerateBackupCodes(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  try {
    return view(s, { backupCodes: await s.app.services.accounts.factors.regenerateBackupCodes(s.account.did) })
  } catch (err) {
    return refused(s, err)
  }
}

/** POST /account/security/email-code with on=1 or on=0 */
export async function setEmailCode(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const on = field(r.form, 'on')
  if (on !== '1' && on !== '0') return view(s, { problem: 'Choose whether to turn email codes on or off.', status: 400 })
  try {
    await s.app.services.accounts.factors.setEmailAuthFactor(s.account.did, on === '1')
  } catch (err) {
    return refused(s, err)
  }
  return seeOther(`${PATH}?done=email-${on === '1' ? 'on' : 'off'}`)
}

/** POST /account/security/passkeys/remove with the passkey's id */
export async function removePasskey(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  try {
    await s.app.services.accounts.factors.removePasskey(s.account.did, field(r.form, 'id'))
  } catch (err) {
    return refused(s, err)
  }
  return seeOther(`${PATH}?done=passkey-removed`)
}

/** POST /account/security/passkeys/options: the browser's creation options (JSON), for the page's script. */
export async function passkeyOptions(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  try {
    return Response.json(await s.app.services.accounts.factors.passkeyRegistrationOptions(s.account.did), { headers: { 'Cache-Control': 'no-store' } })
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return Response.json({ error: 'InvalidRequest', message }, { status: 400 })
  }
}

/** POST /account/security/passkeys/add with a name and the authenticator's answer (filled in by the script). */
export async function addPasskey(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const name = field(r.form, 'name')
  if (!name) return view(s, { errors: { name: 'Give the passkey a name.' }, status: 400 })
  let response: unknown
  try {
    response = JSON.parse(field(r.form, 'response'))
  } catch {
    return view(s, { errors: { name: 'Your browser did not create a passkey. Try again in a browser that supports passkeys.' }, status: 400 })
  }
  try {
    await s.app.services.accounts.factors.addPasskey(s.account.did, name, response)
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return view(s, { errors: { name: message }, status: 400 })
  }
  return seeOther(`${PATH}?done=passkey-added`)
}
