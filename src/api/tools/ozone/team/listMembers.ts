// The moderation team: the lead (an admin) and the members with their roles.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.team.listMembers',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    await teamCaller(ctx, { anyRole: true })
    return ctx.services.moderation.team.list(ctx.params)
  },
})
