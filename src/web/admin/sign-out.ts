// POST /admin/sign-out: ends this browser's console session.
import { seeOther } from '../ui/render.ts'
import { ADMIN_SIGN_IN, type AdminRequest } from './context.ts'
import { endAdminSessionCookie } from './router.ts'

export function submitSignOut(r: AdminRequest): Response {
  if (r.secret) r.app.services.console.sessions.end(r.secret)
  return seeOther(`${ADMIN_SIGN_IN}?notice=signed-out`, [endAdminSessionCookie(r.app)])
}
