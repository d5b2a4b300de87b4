// One account as moderators see it (com.atproto.admin.defs#accountView): email, invites, states.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { assertModerator } from '../../../_util/moderator.ts'
import { getAccountInfo } from '../../../../services/accounts/admin.ts'

export default defineHandler<{ did: string }>({
  nsid: 'com.atproto.admin.getAccountInfo',
  auth: 'none', // admin Basic or the mod service's JWT, checked below
  handler: async (ctx) => {
    await assertModerator(ctx)
    return getAccountInfo(ctx.services.accounts, ctx.params.did)
  },
})
