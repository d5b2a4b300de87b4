// POST /account/sign-out: ends this browser's session (the others stay; see the sessions page).
import { seeOther } from '../ui/render.ts'
import { SIGN_IN_PATH, type WebRequest } from './context.ts'
import { endSessionCookie } from './router.ts'

export function submitSignOut(r: WebRequest): Response {
  if (r.secret) r.app.services.accounts.webSessions.endBySecret(r.secret)
  return seeOther(`${SIGN_IN_PATH}?notice=signed-out`, [endSessionCookie(r.app)])
}
