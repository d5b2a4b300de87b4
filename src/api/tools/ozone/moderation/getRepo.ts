// An account in detail: ours from the account table, others from their DID document.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { asSeenBy } from '../../../../services/moderation/views.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.moderation.getRepo',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    return asSeenBy(caller, await ctx.services.moderation.queries.getRepo(ctx.params.did))
  },
})
