import { defineHandler } from '../../../../xrpc/handler.ts'
import { RATE } from '../../../_util/accounts.ts'

export default defineHandler<unknown, { email: string }>({
  nsid: 'com.atproto.server.requestPasswordReset',
  auth: 'none',
  rateLimit: RATE.requestPasswordReset,
  handler: async ({ input, services }) => {
    await services.accounts.requestPasswordReset(input.email)
  },
})
