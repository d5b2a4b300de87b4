// The operator's console under /admin: its routes (one page or form per file). src/xrpc/routes/admin.ts
// mounts them on the server with the client's IP and the server's rate limiter.
import { createHmac } from 'node:crypto'
import { ADMIN_BASE, ADMIN_SIGN_IN, type AdminApp, type AdminAppServices } from './context.ts'
import type { AdminRoute } from './router.ts'
import { ADMIN_LIMITS } from './rate-limits.ts'
import { showSignIn, submitSignIn } from './sign-in.tsx'
import { submitSignOut } from './sign-out.ts'
import { showServer } from './server.tsx'
import { ACCOUNTS_PATH, showAccounts } from './accounts.tsx'
import { showAccount } from './account.tsx'
import * as actions from './account-actions.tsx'
import { createInvite, disableInvite, INVITES_PATH, showInvites } from './invites.tsx'
import { AUDIT_PATH, showAudit } from './audit.tsx'
import { actOnReport, REPORTS_PATH, showReports } from './reports.tsx'

const post = (name: string, handler: AdminRoute['handler'], limits?: AdminRoute['limits']): AdminRoute => ({ method: 'POST', path: `${ACCOUNTS_PATH}/${name}`, access: 'operator', handler, limits })

export const ADMIN_ROUTES: AdminRoute[] = [
  { method: 'GET', path: ADMIN_SIGN_IN, access: 'public', handler: showSignIn },
  { method: 'POST', path: ADMIN_SIGN_IN, access: 'public', limits: ADMIN_LIMITS.signIn, handler: submitSignIn },
  { method: 'POST', path: `${ADMIN_BASE}/sign-out`, access: 'operator', handler: submitSignOut },
  { method: 'GET', path: ADMIN_BASE, access: 'operator', handler: showServer },
  { method: 'GET', path: ACCOUNTS_PATH, access: 'operator', handler: showAccounts },
  { method: 'GET', path: `${ACCOUNTS_PATH}/view`, access: 'operator', handler: (r) => showAccount(r) },
  post('takedown', actions.takedown),
  post('reverse-takedown', actions.reverseTakedown),
  post('deactivate', actions.deactivate),
  post('activate', actions.activate),
  post('reset-password', actions.resetPassword),
  post('reset-2fa', actions.resetSecondFactors),
  post('change-email', actions.changeEmail),
  post('change-handle', actions.changeHandle),
  post('disable-invites', actions.disableInvites),
  post('enable-invites', actions.enableInvites),
  post('send-email', actions.sendEmail, ADMIN_LIMITS.sendMail),
  post('delete', actions.deleteAccount),
  { method: 'GET', path: INVITES_PATH, access: 'operator', handler: (r) => showInvites(r) },
  { method: 'POST', path: `${INVITES_PATH}/create`, access: 'operator', handler: createInvite },
  { method: 'POST', path: `${INVITES_PATH}/disable`, access: 'operator', handler: disableInvite },
  { method: 'GET', path: REPORTS_PATH, access: 'operator', handler: (r) => showReports(r) },
  { method: 'POST', path: `${REPORTS_PATH}/act`, access: 'operator', handler: actOnReport },
  { method: 'GET', path: AUDIT_PATH, access: 'operator', handler: showAudit },
]

export function createAdminApp(services: AdminAppServices, limit: AdminApp['limit']): AdminApp {
  const { config } = services
  return {
    services,
    limit,
    csrfKey: createHmac('sha256', config.secrets.jwtSecret).update('pds-admin-console-csrf-v1').digest('base64url'),
    secureCookies: config.service.publicUrl.startsWith('https:'),
    origins: [new URL(config.service.publicUrl).origin],
    devMode: config.service.devMode,
  }
}
