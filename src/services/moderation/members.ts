// tools.ozone.team.*: the team's members and their roles. The team lead is an admin by definition.
import { invalidInput } from '../errors.ts'
import * as team from '../../storage/moderation/team.ts'
import type { MemberRow } from '../../storage/moderation/team.ts'
import type { ModContext } from './context.ts'
import { ROLE, ROLES, assertAdmin, type Caller } from './team.ts'
import { handleOf } from './views.ts'

export class Team {
  constructor(private readonly ctx: ModContext) {}

  private async view(m: MemberRow) {
    const handle = await handleOf(this.ctx, m.did)
    return {
      did: m.did,
      disabled: m.disabled === 1,
      ...(handle ? { profile: { $type: 'app.bsky.actor.defs#profileViewDetailed', did: m.did, handle } } : {}),
      createdAt: m.created_at,
      updatedAt: m.updated_at,
      lastUpdatedBy: m.last_updated_by,
      role: m.role,
    }
  }

  /** The lead first (implicit row), then the members by DID. */
  async list(q: { roles?: string[]; disabled?: boolean; q?: string; limit?: number; cursor?: string }) {
    const limit = q.limit ?? 50
    const rows = team.listMembers(this.ctx.db, { roles: q.roles, disabled: q.disabled, after: q.cursor, limit })
    const lead = this.ctx.teamDid()
    if (!q.cursor && lead && !rows.some((r) => r.did === lead) && (!q.roles?.length || q.roles.includes(ROLE.admin)) && q.disabled !== true) {
      rows.unshift({ did: lead, role: ROLE.admin, disabled: 0, created_at: '', updated_at: '', last_updated_by: lead })
    }
    let members = await Promise.all(rows.map((r) => this.view(r)))
    if (q.q) {
      const needle = q.q.toLowerCase()
      members = members.filter((m) => m.did.includes(needle) || m.profile?.handle.includes(needle))
    }
    const last = rows.at(-1)
    return { members: members.map((m) => (m.createdAt ? m : { did: m.did, disabled: m.disabled, profile: m.profile, role: m.role })), ...(rows.length >= limit && last ? { cursor: last.did } : {}) }
  }

  async add(by: Caller, did: string, role: string) {
    assertAdmin(by, 'add a member')
    if (!ROLES.has(role)) throw invalidInput(`Unknown role: ${role}`)
    if (team.getMember(this.ctx.db, did) || did === this.ctx.teamDid()) throw invalidInput('member already exists', 'MemberAlreadyExists')
    const now = this.ctx.now().toISOString()
    return this.view(team.putMember(this.ctx.db, { did, role, disabled: 0, created_at: now, updated_at: now, last_updated_by: by.did }))
  }

  async update(by: Caller, input: { did: string; role?: string; disabled?: boolean }) {
    assertAdmin(by, 'update a member')
    if (input.role && !ROLES.has(input.role)) throw invalidInput(`Unknown role: ${input.role}`)
    const existing = team.getMember(this.ctx.db, input.did)
    if (!existing) throw invalidInput('member not found', 'MemberNotFound')
    const row = { ...existing, role: input.role ?? existing.role, updated_at: this.ctx.now().toISOString(), last_updated_by: by.did }
    if (input.disabled !== undefined) row.disabled = input.disabled ? 1 : 0
    return this.view(team.putMember(this.ctx.db, row))
  }

  remove(by: Caller, did: string) {
    assertAdmin(by, 'delete a member')
    if (did === by.did) throw invalidInput('You can not delete yourself from the team', 'CannotDeleteSelf')
    if (!team.deleteMember(this.ctx.db, did)) throw invalidInput('member not found', 'MemberNotFound')
  }
}
