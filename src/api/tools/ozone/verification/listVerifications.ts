// Granted and revoked verifications, filtered and paged by creation time. Any team member (verifiers included).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.verification.listVerifications',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    await teamCaller(ctx, { anyRole: true })
    return ctx.services.moderation.verifications.list(ctx.params)
  },
})
