// Today's report figures, for everything or a queue, a moderator (admins only) or report types. Any team member.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'
import { statGroup } from '../../../../services/moderation/reports-stats.ts'

export default defineHandler({
  nsid: 'tools.ozone.report.getLiveStats',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    return { stats: ctx.services.moderation.reporting.stats.live(statGroup(caller, ctx.params)) }
  },
})
