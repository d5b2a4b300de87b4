import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerNotTakendown } from '../../../_util/accounts.ts'

export default defineHandler<unknown, { email: string; token: string }>({
  nsid: 'com.atproto.server.confirmEmail',
  auth: 'accessDeactivated',
  handler: ({ auth, input, services }) => {
    services.accounts.confirmEmail(callerNotTakendown(services.accounts, auth), input.email, input.token)
  },
})
