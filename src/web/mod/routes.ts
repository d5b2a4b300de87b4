// The console's routes, mounted with the account app's (same sessions, CSRF and limits).
import type { Route } from '../account/router.ts'
import { submitAction } from './act.ts'
import { MOD_BASE } from './context.ts'
import { showQueue } from './queue.tsx'
import { showSubject } from './subject.tsx'
import { addMember, showTeam } from './team.tsx'

export const MOD_ROUTES: Route[] = [
  { method: 'GET', path: MOD_BASE, access: 'signedIn', handler: showQueue },
  { method: 'GET', path: `${MOD_BASE}/subject`, access: 'signedIn', handler: showSubject },
  { method: 'POST', path: `${MOD_BASE}/act`, access: 'signedIn', handler: submitAction },
  { method: 'GET', path: `${MOD_BASE}/team`, access: 'signedIn', handler: showTeam },
  { method: 'POST', path: `${MOD_BASE}/team`, access: 'recentPassword', handler: addMember },
]
