// Team roles (tools.ozone.team.defs) and what each may do, as Ozone's auth checks.
import { authRequired } from '../errors.ts'

export const ROLE = {
  admin: 'tools.ozone.team.defs#roleAdmin',
  moderator: 'tools.ozone.team.defs#roleModerator',
  triage: 'tools.ozone.team.defs#roleTriage',
  verifier: 'tools.ozone.team.defs#roleVerifier',
} as const

export const ROLES: ReadonlySet<string> = new Set(Object.values(ROLE))

/** Who is calling the moderation service, as established by the edge. */
export type Caller = { did: string; role: string }

export const isAdmin = (c: Caller) => c.role === ROLE.admin
export const isModerator = (c: Caller) => c.role === ROLE.admin || c.role === ROLE.moderator
export const isTriage = (c: Caller) => isModerator(c) || c.role === ROLE.triage

export function assertModerator(c: Caller, what: string): void {
  if (!isModerator(c)) throw authRequired(`Must be a full moderator to ${what}`)
}

export function assertAdmin(c: Caller, what: string): void {
  if (!isAdmin(c)) throw authRequired(`Must be an admin to ${what}`)
}
