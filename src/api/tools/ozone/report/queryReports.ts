// Reports of one status, filtered (queue, subject, types, dates, assignee) and paged. Any team member.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.report.queryReports',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    await teamCaller(ctx)
    return ctx.services.moderation.reporting.desk.query(ctx.params)
  },
})
