// Closes a subject's reports (optionally of some types) that may be closed. Any team member.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { asSeenBy } from '../../../../services/moderation/views.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.report.closeReports',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    return asSeenBy(caller, await ctx.services.moderation.reporting.desk.closeReports(caller, ctx.input))
  },
})
