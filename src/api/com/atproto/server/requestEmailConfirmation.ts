import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerNotTakendown, RATE } from '../../../_util/accounts.ts'

export default defineHandler({
  nsid: 'com.atproto.server.requestEmailConfirmation',
  auth: 'accessDeactivated',
  rateLimit: RATE.emailRequest('requestEmailConfirmation'),
  handler: async ({ auth, services }) => {
    await services.accounts.requestEmailConfirmation(callerNotTakendown(services.accounts, auth))
  },
})
