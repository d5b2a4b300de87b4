// Sets an option for the team (instance; admins, or the role the option names) or for the caller (personal).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.setting.upsertOption',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    return ctx.services.moderation.config.upsertOption(caller, ctx.input)
  },
})
