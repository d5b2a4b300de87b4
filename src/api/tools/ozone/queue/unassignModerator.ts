// Takes a moderator off a queue (themselves; admins anyone). Moderators.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.queue.unassignModerator',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    ctx.services.moderation.reporting.queues.unassign(caller, ctx.input)
  },
})
