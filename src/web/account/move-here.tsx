/** @jsxImportSource ../ui/jsx */
// Signed out: "Move your account here", the inbound migration wizard over src/services/migration/inbound.ts
// (the steps of `pds migrate`). Sign in to the old server (password, and its emailed code when it asks),
// watch the copy (repo, blobs, preferences), then type the code the old server emails for the identity
// switch; activation follows. The wizard lives in a cookie and in inbound_migration, so a closed tab or a
// reload finds it where it stood, and a failed step resumes with the password.
import { ActionButton, Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { clearCookie, readCookies, setCookie } from '../ui/cookies.ts'
import { serviceMessage } from '../ui/errors.ts'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { InboundMigrations, type MoveView } from '../../services/migration/inbound.ts'
import { BASE, SIGN_IN_PATH, type WebRequest } from './context.ts'
import { publicPage } from './shell.tsx'

export const MOVE_PATH = `${BASE}/move-here`
const COOKIE = 'pds_move'
const STEPS: Array<[string, string]> = [
  ['account', 'Account here'],
  ['repo', 'Posts and other records'],
  ['blobs', 'Pictures and other files'],
  ['preferences', 'Preferences'],
  ['plc', 'Identity (your DID) points here'],
  ['activate', 'Account active here'],
  ['deactivate-old', 'Old account deactivated'],
]
/** While a step runs the page looks again every 1.5 s (the copy goes on without it). */
const RELOAD = `setTimeout(function () { location.reload() }, 1500)`

const secretOf = (r: WebRequest) => readCookies(r.req).get(COOKIE) ?? null

function startView(r: WebRequest, o: { values?: Record<string, string>; errors?: FieldErrors; status?: number; intro?: string } = {}) {
  const v = o.values ?? {}
  return publicPage(
    r,
    {
      title: 'Move your account here',
      children: (
        <section class="card">
          <h1>Move your account here</h1>
          <p>{o.intro ?? 'Bring your account from another server, keeping your DID, posts, followers, pictures and preferences. Sign in to your old server to begin.'}</p>
          {o.errors?.form && <Notice kind="error">{o.errors.form}</Notice>}
          <Form action={MOVE_PATH} csrf={r.csrf} label="Sign in to your old server">
            <Field name="from" label="Old server" hint="For example https://bsky.social" value={v.from} errors={o.errors} spellcheck={false} required />
            <Field name="identifier" label="Handle or email there" autocomplete="username" value={v.identifier} errors={o.errors} spellcheck={false} required />
            <Field name="password" type="password" label="Password there" hint="Your account password, not an app password. It becomes your password here too." autocomplete="current-password" errors={o.errors} required />
            {o.values?.code !== undefined && <Field name="code" label="Sign-in code from the old server's email" autocomplete="one-time-code" spellcheck={false} errors={o.errors} required />}
            <Field name="email" type="email" label="Email here (optional)" hint="Leave empty to keep the email of the old account." value={v.email} errors={o.errors} />
            {r.app.services.config.invites.required && <Field name="inviteCode" label="Invite code" value={v.inviteCode} errors={o.errors} required />}
            <button type="submit">Start moving</button>
          </Form>
          <p>
            <a href={SIGN_IN_PATH}>Back to sign in</a>
          </p>
        </section>
      ),
    },
    { status: o.status },
  )
}

function Steps(p: { view: MoveView }) {
  const { steps = {}, blobs } = p.view.progress
  return (
    <ol class="steps">
      {STEPS.map(([key, label]) => (
        <li>
          <strong>{label}</strong>: {(steps as Record<string, string | undefined>)[key] ?? 'not yet'}
          {key === 'blobs' && blobs && blobs.total > 0 && (
            <div>
              <progress value={blobs.done} max={blobs.total} aria-label="Files copied">
                {blobs.done} of {blobs.total}
              </progress>{' '}
              {blobs.done} of {blobs.total}
            </div>
          )}
        </li>
      ))}
    </ol>
  )
}

function statusView(r: WebRequest, view: MoveView, o: { errors?: FieldErrors; status?: number } = {}) {
  const who = view.did ?? view.identifier
  const hidden = (
    <>
      <input type="hidden" name="from" value={view.fromUrl} />
      <input type="hidden" name="identifier" value={view.identifier} />
    </>
  )
  const passwordForm = (label: string, withCode = false) => (
    <Form action={MOVE_PATH} csrf={r.csrf} label={label}>
      {hidden}
      <Field name="password" type="password" label={`Password on ${view.fromUrl}`} autocomplete="current-password" errors={o.errors} required />
      {withCode && <Field name="code" label="Sign-in code from the email" hint="The code looks like ABCDE-23456." autocomplete="one-time-code" spellcheck={false} errors={o.errors} required />}
      <button type="submit">{label}</button>
    </Form>
  )
  const body = {
    running: <Notice kind="info">Moving {who} from {view.fromUrl}. This page updates by itself; you may close it and come back.</Notice>,
    'needs-code': (
      <>
        <Notice kind="info">{view.fromUrl} emailed a sign-in code to your address there. Enter it with your password.</Notice>
        {passwordForm('Continue', true)}
      </>
    ),
    'needs-password': (
      <>
        <p>The move of {who} from {view.fromUrl} stopped part-way. Enter your password there to continue where it stopped.</p>
        {passwordForm('Continue moving')}
      </>
    ),
    'needs-plc-token': (
      <>
        <Notice kind="ok">Everything is copied. {view.fromUrl} has emailed you a confirmation code for the last step: pointing your identity here.</Notice>
        <Form action={`${MOVE_PATH}/confirm`} csrf={r.csrf} label="Confirm the move">
          <Field name="token" label="Code from the email" hint="The code looks like ABCDE-23456." autocomplete="one-time-code" spellcheck={false} errors={o.errors} required />
          <button type="submit">Finish the move</button>
        </Form>
      </>
    ),
    failed: (
      <>
        <Notice kind="error">The move stopped: {view.error}</Notice>
        <p>What was done stays done. Fix what the message says, then continue; the move picks up at the step that failed.</p>
        {passwordForm('Try again')}
      </>
    ),
    done: (
      <>
        <Notice kind="ok">Your account now lives here as @{view.handle}. Your old account is deactivated.</Notice>
        {view.progress.failedBlobs?.length ? <p>{view.progress.failedBlobs.length} files could not be fetched from the old server.</p> : null}
        <p>
          <a href={`${SIGN_IN_PATH}`}>Sign in here</a>
        </p>
      </>
    ),
  }[view.state]
  return publicPage(
    r,
    {
      title: 'Moving your account',
      script: view.state === 'running' ? RELOAD : undefined,
      children: (
        <section class="card">
          <h1>{view.state === 'done' ? 'Moved' : 'Moving your account'}</h1>
          {view.progress.handleNote && <p>Handle: {view.progress.handleNote}</p>}
          {body}
          <Steps view={view} />
          {view.state !== 'running' && view.state !== 'done' && <ActionButton action={`${MOVE_PATH}/forget`} csrf={r.csrf} label="Start over" variant="secondary" small />}
        </section>
      ),
    },
    { status: o.status },
  )
}

/** GET /account/move-here: the wizard where it stands, or its first step. */
export function showMoveHere(r: WebRequest): Response {
  const secret = secretOf(r)
  const view = secret ? r.app.services.migrations.get(secret) : null
  return view ? statusView(r, view) : startView(r)
}

/** POST /account/move-here: sign in to the old server and start (or continue) the move. */
export function startMove(r: WebRequest): Response {
  const values = { from: field(r.form, 'from'), identifier: field(r.form, 'identifier'), email: field(r.form, 'email'), inviteCode: field(r.form, 'inviteCode') }
  const password = raw(r.form, 'password')
  if (!values.from) return startView(r, { values, errors: { from: 'Enter the address of your old server.' }, status: 400 })
  if (!values.identifier) return startView(r, { values, errors: { identifier: 'Enter your handle or email there.' }, status: 400 })
  if (!password) return startView(r, { values, errors: { password: 'Enter your password there.' }, status: 400 })
  const known = secretOf(r)
  const secret = known && r.app.services.migrations.get(known) ? known : InboundMigrations.newSecret()
  try {
    r.app.services.migrations.start(secret, { fromUrl: values.from, identifier: values.identifier, password, authFactorToken: field(r.form, 'code'), email: values.email, inviteCode: values.inviteCode })
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return startView(r, { values, errors: { form: message }, status: 400 })
  }
  const cookie = setCookie(COOKIE, secret, { path: BASE, secure: r.app.secureCookies, maxAgeSeconds: 14 * 24 * 3600 })
  return seeOther(MOVE_PATH, [...r.cookies, cookie])
}

/** POST /account/move-here/confirm: the PLC code from the old server's email. */
export function confirmMove(r: WebRequest): Response {
  const secret = secretOf(r)
  const view = secret ? r.app.services.migrations.get(secret) : null
  if (!secret || !view) return seeOther(MOVE_PATH, r.cookies)
  const token = field(r.form, 'token')
  if (!token) return statusView(r, view, { errors: { token: 'Enter the code from the email.' }, status: 400 })
  try {
    r.app.services.migrations.finish(secret, token)
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return statusView(r, view, { errors: { token: message }, status: 400 })
  }
  return seeOther(MOVE_PATH, r.cookies)
}

/** POST /account/move-here/forget: start over (what the old and new servers hold is not touched). */
export function forgetMove(r: WebRequest): Response {
  const secret = secretOf(r)
  if (secret) {
    try {
      r.app.services.migrations.forget(secret)
    } catch (err) {
      if (!serviceMessage(err)) throw err
    }
  }
  return seeOther(MOVE_PATH, [...r.cookies, clearCookie(COOKIE, { path: BASE, secure: r.app.secureCookies })])
}
