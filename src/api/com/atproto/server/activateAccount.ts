import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

export default defineHandler({
  nsid: 'com.atproto.server.activateAccount',
  auth: 'accessDeactivated',
  handler: ({ auth, services }) => {
    services.accounts.activateAccount(callerDid(auth))
  },
})
