// Several accounts in detail; unknown ones as repoViewNotFound.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.moderation.getRepos',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    await teamCaller(ctx)
    return ctx.services.moderation.queries.getRepos(ctx.params.dids)
  },
})
