// Accounts and records with their status, repo and record views.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.moderation.getSubjects',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    await teamCaller(ctx)
    return ctx.services.moderation.queries.getSubjects(ctx.params.subjects)
  },
})
