import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerNotTakendown, RATE } from '../../../_util/accounts.ts'

export default defineHandler({
  nsid: 'com.atproto.server.requestEmailUpdate',
  auth: 'accessDeactivated',
  rateLimit: RATE.emailRequest('requestEmailUpdate'),
  handler: async ({ auth, services }) => {
    // Full sessions only: app passwords and OAuth clients cannot move the account's email.
    const did = callerNotTakendown(services.accounts, auth, { full: true })
    return services.accounts.requestEmailUpdate(did)
  },
})
