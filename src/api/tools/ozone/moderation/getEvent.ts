// One moderation event with its subject in detail.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { asSeenBy } from '../../../../services/moderation/views.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.moderation.getEvent',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    return asSeenBy(caller, await ctx.services.moderation.queries.getEvent(ctx.params.id))
  },
})
