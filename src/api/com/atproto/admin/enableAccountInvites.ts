// Lets an account receive invite codes again; moderators only.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { assertModerator } from '../../../_util/moderator.ts'
import { setAccountInvitesDisabled } from '../../../../services/accounts/admin.ts'

export default defineHandler<unknown, { account: string; note?: string }>({
  nsid: 'com.atproto.admin.enableAccountInvites',
  auth: 'none', // admin Basic or the mod service's JWT, checked below
  handler: async (ctx) => {
    await assertModerator(ctx)
    setAccountInvitesDisabled(ctx.services.accounts, ctx.input.account, false)
  },
})
