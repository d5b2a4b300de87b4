// Granted and revoked verifications, filtered and paged by creation time. Any team member (verifiers included).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { asSeenBy } from '../../../../services/moderation/views.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.verification.listVerifications',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    return asSeenBy(caller, await ctx.services.moderation.verifications.list(ctx.params))
  },
})
