// Verify accounts: app.bsky.graph.verification records in the team lead's repo. Admins and verifiers.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { asSeenBy } from '../../../../services/moderation/views.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.verification.grantVerifications',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    return asSeenBy(caller, await ctx.services.moderation.verifications.grant(caller, ctx.input.verifications))
  },
})
