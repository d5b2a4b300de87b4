// Deletes a queue; its reports that are not closed move to another queue or to none. Moderators.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.queue.deleteQueue',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    return ctx.services.moderation.reporting.queues.delete(caller, ctx.input)
  },
})
