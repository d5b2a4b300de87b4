// Creates or describes a named set of values. Moderators and admins.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.set.upsertSet',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    return ctx.services.moderation.config.upsertSet(caller, ctx.input)
  },
})
