// Several accounts as moderators see them; unknown DIDs are left out.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { assertModerator } from '../../../_util/moderator.ts'
import { getAccountInfos } from '../../../../services/accounts/admin.ts'

export default defineHandler<{ dids: string[] | string }>({
  nsid: 'com.atproto.admin.getAccountInfos',
  auth: 'none', // admin Basic or the mod service's JWT, checked below
  handler: async (ctx) => {
    await assertModerator(ctx)
    const dids = ctx.params.dids
    return getAccountInfos(ctx.services.accounts, Array.isArray(dids) ? dids : [dids])
  },
})
