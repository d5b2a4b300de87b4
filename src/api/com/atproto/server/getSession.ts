import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { requireAccount, sessionBody } from '../../../_util/accounts.ts'
import { hideEmailWithoutScope } from '../../../../services/oauth/method-policy.ts'

export default defineHandler({
  nsid: 'com.atproto.server.getSession',
  auth: 'accessDeactivated',
  handler: async ({ auth, services }) => {
    const account = requireAccount(services.accounts, callerDid(auth))
    return hideEmailWithoutScope(auth, await sessionBody(services.accounts, account))
  },
})
