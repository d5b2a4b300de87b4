import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerNotTakendown, RATE } from '../../../../services/accounts/handler-util.ts'

export default defineHandler({
  nsid: 'com.atproto.server.requestAccountDelete',
  auth: 'accessDeactivated',
  rateLimit: RATE.emailRequest('requestAccountDelete'),
  handler: async ({ auth, services }) => {
    await services.accounts.requestAccountDelete(callerNotTakendown(services.accounts, auth, { full: true }))
  },
})
