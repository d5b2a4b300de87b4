/** @jsxImportSource ../ui/jsx */
// /account/deactivate: the reference's deactivation. The account stays here with all its data, but the
// network is told it is inactive (apps and relays stop showing it) and every session ends; signing in
// again here and choosing "Reactivate" brings it back. Reactivation is on the overview too.
import { ActionButton, Card, Notice } from '../ui/components.tsx'
import { seeOther } from '../ui/render.ts'
import { serviceMessage } from '../ui/errors.ts'
import { BASE, SIGN_IN_PATH, type WebRequest } from './context.ts'
import { asSignedIn, endSessionCookie } from './router.ts'
import { accountPage } from './shell.tsx'

export const DEACTIVATE_PATH = `${BASE}/deactivate`

export function showDeactivate(r: WebRequest, problem?: string): Response {
  const s = asSignedIn(r)
  const deactivated = !!s.account.deactivatedAt
  return accountPage(s, {
    title: deactivated ? 'Reactivate' : 'Deactivate',
    current: '',
    children: (
      <>
        <h1>{deactivated ? 'Your account is deactivated' : 'Deactivate your account'}</h1>
        {deactivated ? (
          <Card title="Reactivate">
            <p>Reactivating tells the network your account is back: your posts, follows and profile show again in apps.</p>
            {problem && <Notice kind="error">{problem}</Notice>}
            <ActionButton action={`${DEACTIVATE_PATH}/reactivate`} csrf={s.csrf} label="Reactivate my account" />
          </Card>
        ) : (
          <Card title="What happens">
            <ul>
              <li>Your account and all its data stay on this server. Nothing is deleted.</li>
              <li>The network is told your account is deactivated: apps stop showing your posts and profile.</li>
              <li>You are signed out everywhere, in apps and browsers.</li>
              <li>To come back, sign in here and choose Reactivate.</li>
            </ul>
            <Notice>
              To delete your account for good instead, see <a href={`${BASE}/delete`}>Delete your account</a>.
            </Notice>
            <ActionButton action={DEACTIVATE_PATH} csrf={s.csrf} label="Deactivate my account" variant="danger" />
          </Card>
        )}
      </>
    ),
  }, problem ? { status: 400 } : {})
}

/** POST /account/deactivate: every session ends (the accounts service does it), this one too. */
export function deactivate(r: WebRequest): Response {
  const s = asSignedIn(r)
  s.app.services.accounts.deactivateAccount(s.account.did, null)
  return seeOther(`${SIGN_IN_PATH}?notice=deactivated`, [endSessionCookie(s.app)])
}

/** POST /account/deactivate/reactivate: as activateAccount, only once the DID document names this server (a moved-in account waits for that). */
export async function reactivate(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const { accounts } = s.app.services
  if (s.account.deactivatedAt) {
    try {
      await accounts.assertValidDidDocForService(s.account.did)
    } catch (err) {
      const message = serviceMessage(err)
      if (!message) throw err
      return showDeactivate(r, message)
    }
    accounts.activateAccount(s.account.did)
  }
  return seeOther(`${BASE}?done=reactivated`)
}
