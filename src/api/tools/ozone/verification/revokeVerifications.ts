// Revoke verifications: their records leave the team lead's repo, the rows stay marked. Admins and verifiers.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.verification.revokeVerifications',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    return ctx.services.moderation.verifications.revoke(caller, ctx.input)
  },
})
