import { defineHandler } from '../../../../xrpc/handler.ts'
import { RATE, revokeOAuthSessions } from '../../../_util/accounts.ts'

export default defineHandler<unknown, { token: string; password: string }>({
  nsid: 'com.atproto.server.resetPassword',
  auth: 'none',
  rateLimit: RATE.resetPassword,
  handler: async ({ input, services }) => {
    // Every legacy session ends (the reference revokes refresh tokens; app passwords stay). OAuth
    // sessions end too: whoever knew the old password may have authorized a client with it.
    const did = await services.accounts.resetPassword(input.token, input.password)
    revokeOAuthSessions(services, did)
  },
})
