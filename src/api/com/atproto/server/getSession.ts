import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid, requireAccount, sessionBody } from '../../../../services/accounts/handler-util.ts'

export default defineHandler({
  nsid: 'com.atproto.server.getSession',
  auth: 'accessDeactivated',
  handler: async ({ auth, services }) => {
    const account = requireAccount(services.accounts, callerDid(auth))
    return sessionBody(services.accounts, account)
  },
})
