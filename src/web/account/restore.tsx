/** @jsxImportSource ../ui/jsx */
// Signed out: "Restore an account" whose server is gone, from a repo CAR (an earlier export) and a PLC
// rotation key of its DID, over the restore service of `pds restore-account`. Everything that can refuse
// (a CAR that does not verify, a key that is not a rotation key of the DID, a DID already hosted here) is
// checked before anything changes, and said beside its field.
import { Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { field, raw } from '../ui/form.ts'
import { MigrationError } from '../../services/migration/errors.ts'
import type { RestoreReport } from '../../services/migration/restore-account.ts'
import { BASE, SIGN_IN_PATH, type WebRequest } from './context.ts'
import { newPasswordProblem, PASSWORD_HINT } from './password-rules.ts'
import { publicPage } from './shell.tsx'

export const RESTORE_PATH = `${BASE}/restore`
/** The CAR and the form around it. */
export const MAX_RESTORE_BYTES = 64 * 1024 * 1024

function restoreView(r: WebRequest, o: { values?: Record<string, string>; errors?: FieldErrors; status?: number } = {}) {
  const v = o.values ?? {}
  return publicPage(
    r,
    {
      title: 'Restore an account',
      children: (
        <section class="card">
          <h1>Restore an account</h1>
          <p>
            When the server your account lived on is gone, bring the account back here from a copy of its repository (a .car file, from an earlier export) and a
            rotation key of its DID. Your DID then points here with a new signing key; your rotation key stays first in its list.
          </p>
          {o.errors?.form && <Notice kind="error">{o.errors.form}</Notice>}
          <Form action={RESTORE_PATH} csrf={r.csrf} label="Restore an account" enctype="multipart/form-data">
            <div>
              <label for="f-car">Repository file (.car)</label>
              <input id="f-car" name="car" type="file" accept=".car,application/vnd.ipld.car" required aria-invalid={o.errors?.car ? 'true' : undefined} aria-describedby={o.errors?.car ? 'f-car-error' : undefined} />
              {o.errors?.car && (
                <p class="field-error" id="f-car-error">
                  {o.errors.car}
                </p>
              )}
            </div>
            <Field name="rotationKey" type="password" label="Rotation key" hint="The private key, 64 hex characters. It is used for this restore only and not kept." autocomplete="off" spellcheck={false} errors={o.errors} required />
            <Field name="email" type="email" label="Email here" autocomplete="email" value={v.email} errors={o.errors} required />
            <Field name="password" type="password" label="New password here" hint={PASSWORD_HINT} autocomplete="new-password" errors={o.errors} required />
            <Field name="handle" label="Handle here (optional)" hint="Leave empty to keep the handle your DID names." value={v.handle} spellcheck={false} errors={o.errors} />
            {r.app.services.config.invites.required && <Field name="inviteCode" label="Invite code" value={v.inviteCode} errors={o.errors} required />}
            <button type="submit">Restore</button>
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

function restoredView(r: WebRequest, report: RestoreReport) {
  return publicPage(r, {
    title: 'Account restored',
    children: (
      <section class="card">
        <h1>Account restored</h1>
        <Notice kind="ok">
          {report.did} lives here now as @{report.handle}, with {report.records} records.
        </Notice>
        {report.blobs.missing.length > 0 && (
          <p>
            {report.blobs.missing.length} pictures or other files were not in the restore; posts that show them will miss them until they are uploaded again.
          </p>
        )}
        <p>Keep your rotation key safe: it is still the first rotation key of your DID.</p>
        <p>
          <a href={SIGN_IN_PATH}>Sign in</a>
        </p>
      </section>
    ),
  })
}

export const showRestore = (r: WebRequest) => restoreView(r)

/** POST /account/restore (multipart: the CAR file and the fields). */
export async function submitRestore(r: WebRequest): Promise<Response> {
  const values = { email: field(r.form, 'email').toLowerCase(), handle: field(r.form, 'handle').toLowerCase(), inviteCode: field(r.form, 'inviteCode') }
  const fail = (errors: FieldErrors) => restoreView(r, { values, errors, status: 400 })
  const car = r.files.get('car')
  if (!car) return fail({ car: 'Choose the .car file of your repository.' })
  const rotationKey = field(r.form, 'rotationKey')
  if (!rotationKey) return fail({ rotationKey: 'Enter the rotation key.' })
  if (!/^[^@\s]+@[^@\s]+$/.test(values.email)) return fail({ email: 'Enter an email address, like you@example.com.' })
  const password = raw(r.form, 'password')
  const problem = newPasswordProblem(password, password)
  if (problem) return fail({ password: problem.message })
  try {
    const report = await r.app.services.migrations.restore({
      carBytes: car,
      rotationKey,
      email: values.email,
      password,
      handle: values.handle || undefined,
      inviteCode: values.inviteCode || undefined,
    })
    return restoredView(r, report)
  } catch (err) {
    if (!(err instanceof MigrationError)) throw err
    const at = err.needs === 'car' ? 'car' : err.needs === 'rotationKey' ? 'rotationKey' : err.needs === 'newHandle' ? 'handle' : err.needs === 'inviteCode' ? 'inviteCode' : 'form'
    return fail({ [at]: sentence(err.message) })
  }
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.')
