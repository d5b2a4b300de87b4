// Protected tags (Ozone's `tools.ozone.setting.protectedTags` instance option): a tag that names the
// roles or moderators who may act on subjects carrying it, and who may add or remove it.
import { invalidInput } from '../errors.ts'
import * as store from '../../storage/moderation/team-config.ts'
import type { ModContext } from './context.ts'
import { isAdmin, ROLE, type Caller } from './team.ts'

export const PROTECTED_TAGS_KEY = 'tools.ozone.setting.protectedTags'

type ProtectedTags = Record<string, { roles?: string[]; moderators?: string[] }>

function protectedTags(ctx: ModContext): ProtectedTags | null {
  const row = store.getSetting(ctx.db, 'instance', '', PROTECTED_TAGS_KEY)
  if (!row) return null
  const value = JSON.parse(row.value) as unknown
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ProtectedTags) : null
}

/** Takedowns, their reversal and labels on a subject with a protected tag: only the roles and moderators it names. */
export function assertProtectedTagAction(ctx: ModContext, caller: Caller, subjectTags: string[]): void {
  if (!subjectTags.length) return
  const config = protectedTags(ctx)
  if (!config) return
  for (const tag of subjectTags) {
    const rule = Object.hasOwn(config, tag) ? config[tag] : undefined
    if (!rule) continue
    const refused = invalidInput(`Not allowed to action on protected tag: ${tag}`)
    if (rule.moderators && !rule.moderators.includes(caller.did)) throw refused
    if (rule.roles && !rule.roles.includes(caller.role)) throw refused
  }
}

/** Adding or removing a protected tag: admins always; others when the tag's moderators and roles allow. */
export function assertTagChange(ctx: ModContext, caller: Caller, event: { add?: string[]; remove?: string[] }): void {
  if (isAdmin(caller)) return
  const config = protectedTags(ctx)
  if (!config) return
  for (const [tag, rule] of Object.entries(config)) {
    if (!event.add?.includes(tag) && !event.remove?.includes(tag)) continue
    if (rule.moderators && !rule.moderators.includes(caller.did)) throw invalidInput(`Not allowed to manage tag: ${tag}`)
    if (rule.roles && !rule.roles.includes(caller.role)) {
      throw invalidInput(`Can not manage tag ${tag} with ${caller.role === ROLE.moderator ? 'moderator' : 'triage'} role`)
    }
  }
}
