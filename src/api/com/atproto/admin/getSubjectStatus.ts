// Takedown/deactivation state of an account, record or blob; moderators only.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { assertModerator } from '../../../_util/moderator.ts'
import { getSubjectStatus } from '../../../_util/subject-status.ts'

export default defineHandler<{ did?: string; uri?: string; blob?: string }>({
  nsid: 'com.atproto.admin.getSubjectStatus',
  auth: 'none', // admin Basic or the mod service's JWT, checked below
  handler: async (ctx) => {
    await assertModerator(ctx)
    return getSubjectStatus(ctx.services, ctx.params)
  },
})
