import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../services/accounts/handler-util.ts'

export default defineHandler<unknown, { name: string }>({
  nsid: 'com.atproto.server.revokeAppPassword',
  auth: 'accessFull',
  handler: ({ auth, input, services }) => {
    services.accounts.manager.revokeAppPassword(callerDid(auth), input.name)
  },
})
