// Adds a member with a role. Admins only.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.team.addMember',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    return ctx.services.moderation.team.add(caller, ctx.input.did, ctx.input.role)
  },
})
