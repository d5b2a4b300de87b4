// A moderator's message to an account's email address, through the moderation mailer.
// senderDid and comment are for the moderation service's own records; the PDS only sends.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { assertModerator } from '../../../_util/moderator.ts'
import { sendEmail } from '../../../../services/accounts/admin.ts'

type Input = { recipientDid: string; content: string; subject?: string; senderDid: string; comment?: string }

export default defineHandler<unknown, Input>({
  nsid: 'com.atproto.admin.sendEmail',
  auth: 'none', // admin Basic or the mod service's JWT, checked below
  handler: async (ctx) => {
    await assertModerator(ctx)
    return sendEmail(ctx.services.accounts, ctx.input)
  },
})
