import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerNotTakendown, RATE } from '../../../../services/accounts/handler-util.ts'

export default defineHandler({
  nsid: 'com.atproto.server.requestEmailConfirmation',
  auth: 'accessDeactivated',
  rateLimit: RATE.emailRequest('requestEmailConfirmation'),
  handler: async ({ auth, services }) => {
    await services.accounts.requestEmailConfirmation(callerNotTakendown(services.accounts, auth))
  },
})
