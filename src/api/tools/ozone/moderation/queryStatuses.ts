// Subject statuses (the review queue), filtered, sorted and paged.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.moderation.queryStatuses',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    await teamCaller(ctx)
    return ctx.services.moderation.queries.queryStatuses(ctx.params)
  },
})
