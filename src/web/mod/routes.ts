// The console's routes, mounted with the account app's (same sessions, CSRF and limits). Every console page
// and form is behind the gate (gate.tsx: a member with a second factor given in this session); the step-up
// page itself is not.
import type { Route } from '../account/router.ts'
import { WEB_LIMITS } from '../account/rate-limits.ts'
import { passkeyChallenge } from '../account/passkey-sign-in.ts'
import { submitAction } from './act.ts'
import { MOD_BASE } from './context.ts'
import { gated, MOD_VERIFY_PATH } from './gate.tsx'
import { sendVerifyCode, showVerify, submitVerify, submitVerifyPasskey } from './verify.tsx'
import { showQueue } from './queue.tsx'
import { showSubject } from './subject.tsx'
import { addMember, changeRole, removeMember, showTeam } from './team.tsx'
import { defineLabel, LABELS_PATH, removeLabel, showLabels } from './labels.tsx'
import { cancelScheduled, SCHEDULED_PATH, showScheduled } from './scheduled.tsx'
import { rotateKey, ROTATE_KEY_PATH } from './label-key.tsx'

const CONSOLE_ROUTES: Route[] = [
  { method: 'GET', path: MOD_BASE, access: 'signedIn', handler: showQueue },
  { method: 'GET', path: `${MOD_BASE}/subject`, access: 'signedIn', handler: showSubject },
  { method: 'POST', path: `${MOD_BASE}/act`, access: 'signedIn', handler: submitAction },
  { method: 'GET', path: `${MOD_BASE}/team`, access: 'signedIn', handler: showTeam },
  { method: 'POST', path: `${MOD_BASE}/team`, access: 'recentPassword', handler: addMember },
  { method: 'POST', path: `${MOD_BASE}/team/role`, access: 'recentPassword', handler: changeRole },
  { method: 'POST', path: `${MOD_BASE}/team/remove`, access: 'recentPassword', handler: removeMember },
  { method: 'GET', path: LABELS_PATH, access: 'signedIn', handler: showLabels },
  { method: 'POST', path: LABELS_PATH, access: 'recentPassword', handler: defineLabel },
  { method: 'POST', path: `${LABELS_PATH}/remove`, access: 'recentPassword', handler: removeLabel },
  { method: 'POST', path: ROTATE_KEY_PATH, access: 'recentPassword', handler: rotateKey },
  { method: 'GET', path: SCHEDULED_PATH, access: 'signedIn', handler: showScheduled },
  { method: 'POST', path: `${SCHEDULED_PATH}/cancel`, access: 'signedIn', handler: cancelScheduled },
]

export const MOD_ROUTES: Route[] = [
  ...CONSOLE_ROUTES.map((route) => ({ ...route, handler: gated(route.handler) })),
  { method: 'GET', path: MOD_VERIFY_PATH, access: 'signedIn', handler: showVerify },
  { method: 'POST', path: MOD_VERIFY_PATH, access: 'signedIn', limits: WEB_LIMITS.password, handler: submitVerify },
  { method: 'POST', path: `${MOD_VERIFY_PATH}/send-code`, access: 'signedIn', limits: [...WEB_LIMITS.signInCode, ...WEB_LIMITS.sendMail], handler: sendVerifyCode },
  { method: 'POST', path: `${MOD_VERIFY_PATH}/passkey/options`, access: 'signedIn', limits: WEB_LIMITS.passkeyChallenge, handler: passkeyChallenge },
  { method: 'POST', path: `${MOD_VERIFY_PATH}/passkey`, access: 'signedIn', limits: WEB_LIMITS.password, handler: submitVerifyPasskey },
]
