import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerNotTakendown, RATE } from '../../../_util/accounts.ts'

export default defineHandler({
  nsid: 'com.atproto.server.requestAccountDelete',
  auth: 'accessDeactivated',
  rateLimit: RATE.emailRequest('requestAccountDelete'),
  handler: async ({ auth, services }) => {
    await services.accounts.requestAccountDelete(callerNotTakendown(services.accounts, auth, { full: true }))
  },
})
