/** @jsxImportSource ../ui/jsx */
// Passkeys only, in the Security view: an account with a passkey can drop its password (after
// confirming it is you); one without a password is told how it signs in and how to get a password back.
import { ActionButton, Card } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'

export const REMOVE_PASSWORD_PATH = `${BASE}/security/password/remove`

export function PasskeyOnlyCard(p: { s: SignedIn; passkeys: number }) {
  const { s } = p
  if (!s.app.services.accounts.hasPassword(s.account.did)) {
    return (
      <Card title="Password">
        <p>Your account has no password: you sign in with your passkeys. Apps that cannot use a passkey can use an app password.</p>
        <p>
          To have a password again, set one on the <a href={`${BASE}/password`}>Password</a> page (we email you a code).
        </p>
      </Card>
    )
  }
  return (
    <Card title="Password">
      {p.passkeys ? (
        <>
          <p>You can sign in with your passkeys only and remove your password: nobody can then guess or steal it. Apps that cannot use a passkey can use an app password.</p>
          <ActionButton action={REMOVE_PASSWORD_PATH} csrf={s.csrf} label="Remove my password" variant="danger" />
        </>
      ) : (
        <p>Add a passkey first; then you can remove your password and sign in with passkeys only.</p>
      )}
    </Card>
  )
}

/** POST /account/security/password/remove: passkeys only from now on (this browser stays signed in). */
export async function removePassword(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  try {
    await s.app.services.accounts.removePassword(s.account.did)
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return seeOther(`${BASE}/security?problem=${encodeURIComponent('no-passkey')}`)
  }
  return seeOther(`${BASE}/security?done=password-removed`)
}
