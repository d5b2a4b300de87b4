// The service's configuration as Ozone clients read it, and the caller's role.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'

export default defineHandler({
  nsid: 'tools.ozone.server.getConfig',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx, { anyRole: true })
    const { config } = ctx.services
    return {
      pds: { url: config.service.publicUrl },
      ...(config.bskyAppView ? { appview: { url: config.bskyAppView.url } } : {}),
      ...(config.chatService ? { chat: { url: config.chatService.url } } : {}),
      viewer: { role: caller.role },
    }
  },
})
