// Removes values from a set. Moderators and admins.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.set.deleteValues',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    ctx.services.moderation.config.deleteValues(caller, ctx.input)
  },
})
