// Add a URL safety rule (with an audit event). Moderators and admins; with the admin password, createdBy names the author.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { isAdmin } from '../../../../xrpc/auth.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.safelink.addRule',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    const asOperator = isAdmin(ctx.req, ctx.services.config.secrets.adminPassword)
    return ctx.services.moderation.safelink.addRule(caller, ctx.input, asOperator ? (ctx.input.createdBy ?? caller.did) : caller.did)
  },
})
