// Passkeys instead of the password in the account app: the sign-in page's "Sign in with a passkey"
// (username-less: the browser offers the passkeys it holds for this server) and the confirm-it-is-you
// page's. A passkey needs user verification, so it is a whole sign-in: no second factor is asked.
import { serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { safeNext, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { signInView, startSession } from './sign-in.tsx'
import { confirmView } from './confirm-password.tsx'

const NO_ANSWER = 'Your browser did not give a passkey. Try again, or sign in with your password.'

/** POST …/passkey/options: a fresh single-use challenge (JSON) for the page's script. */
export async function passkeyChallenge(r: WebRequest): Promise<Response> {
  return Response.json(await r.app.services.accounts.factors.passkeySignInOptions(), { headers: { 'Cache-Control': 'no-store' } })
}

/** The DID whose passkey answered, or the words saying why not. */
async function verified(r: WebRequest): Promise<{ did: string } | { problem: string }> {
  let response: unknown
  try {
    response = JSON.parse(field(r.form, 'response'))
  } catch {
    return { problem: NO_ANSWER }
  }
  try {
    return { did: await r.app.services.accounts.factors.signInWithPasskey(response) }
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return { problem: message }
  }
}

/** POST /account/sign-in/passkey */
export async function submitPasskeySignIn(r: WebRequest): Promise<Response> {
  const result = await verified(r)
  if ('problem' in result) return signInView(r, { errors: { form: result.problem }, status: 401 })
  const account = r.app.services.accounts.getAccount(result.did, { includeDeactivated: true, includeTakenDown: true })
  if (!account) return signInView(r, { errors: { form: 'This passkey’s account no longer exists.' }, status: 401 })
  if (account.takedownRef) return signInView(r, { errors: { form: 'This account has been taken down by the server’s moderators.' }, status: 403 })
  r.app.services.accounts.signIns.signedIn(account.did, r.device, 'passkey, account web app')
  // A passkey with user verification is two factors in one: it counts as the second factor too.
  return startSession(r, account, safeNext(r.form.get('next')), [], { withFactor: true })
}

/** POST /account/confirm-password/passkey: this account's own passkey confirms it is still the same person. */
export async function submitPasskeyReauth(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const result = await verified(r)
  if ('problem' in result) return confirmView(r, { form: result.problem }, 401)
  if (result.did !== s.account.did) return confirmView(r, { form: 'That passkey belongs to another account. Use one of this account’s passkeys.' }, 401)
  s.app.services.accounts.webSessions.reauthenticated(s.session.id)
  return seeOther(safeNext(r.form.get('next')), r.cookies)
}
