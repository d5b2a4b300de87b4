// Recomputes the daily snapshots of a date range. Moderators.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'
import { assertModerator } from '../../../../services/moderation/team.ts'

export default defineHandler({
  nsid: 'tools.ozone.report.refreshStats',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    assertModerator(caller, 'refresh stats')
    ctx.services.moderation.reporting.stats.refresh(ctx.input)
    return {}
  },
})
