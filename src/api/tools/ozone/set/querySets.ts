// Sets by name prefix, sorted and paged.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.set.querySets',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    await teamCaller(ctx, { anyRole: true })
    return ctx.services.moderation.config.querySets(ctx.params)
  },
})
