// Takes down (or restores) an account, record or blob; deactivates/reactivates an account. Moderators only.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { assertModerator } from '../../../_util/moderator.ts'
import { updateSubjectStatus, type StatusAttr, type Subject } from '../../../_util/subject-status.ts'

export default defineHandler<unknown, { subject: Subject; takedown?: StatusAttr; deactivated?: StatusAttr }>({
  nsid: 'com.atproto.admin.updateSubjectStatus',
  auth: 'none', // admin Basic or the mod service's JWT, checked below
  handler: async (ctx) => {
    await assertModerator(ctx)
    return updateSubjectStatus(ctx.services, ctx.input)
  },
})
