import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../_util/accounts.ts'

export default defineHandler({
  nsid: 'com.atproto.server.activateAccount',
  auth: 'accessDeactivated',
  handler: ({ auth, services }) => {
    services.accounts.activateAccount(callerDid(auth))
  },
})
