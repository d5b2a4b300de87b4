// Daily snapshots of the report figures, newest first; a moderator's only for admins. Any team member.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'
import { statGroup } from '../../../../services/moderation/reports-stats.ts'

export default defineHandler({
  nsid: 'tools.ozone.report.getHistoricalStats',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    const { startDate, endDate, limit, cursor } = ctx.params
    return ctx.services.moderation.reporting.stats.historical({ group: statGroup(caller, ctx.params), startDate, endDate, limit: limit ?? 30, cursor })
  },
})
