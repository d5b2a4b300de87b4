// The console's routes, mounted with the account app's (same sessions, CSRF and limits).
import type { Route } from '../account/router.ts'
import { submitAction } from './act.ts'
import { MOD_BASE } from './context.ts'
import { showQueue } from './queue.tsx'
import { showSubject } from './subject.tsx'
import { addMember, changeRole, removeMember, showTeam } from './team.tsx'
import { defineLabel, LABELS_PATH, removeLabel, showLabels } from './labels.tsx'
import { cancelScheduled, SCHEDULED_PATH, showScheduled } from './scheduled.tsx'

export const MOD_ROUTES: Route[] = [
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
  { method: 'GET', path: SCHEDULED_PATH, access: 'signedIn', handler: showScheduled },
  { method: 'POST', path: `${SCHEDULED_PATH}/cancel`, access: 'signedIn', handler: cancelScheduled },
]
