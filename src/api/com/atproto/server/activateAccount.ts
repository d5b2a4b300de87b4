// com.atproto.server.activateAccount: a full session (no app password, no OAuth) may reactivate its
// account once its DID document names this server and the account's signing key, as the reference.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { requireFullAccess } from '../../../_util/accounts.ts'

export default defineHandler({
  nsid: 'com.atproto.server.activateAccount',
  auth: 'accessDeactivated',
  handler: async ({ auth, services }) => {
    const did = requireFullAccess(auth)
    await services.accounts.assertValidDidDocForService(did)
    services.accounts.activateAccount(did)
  },
})
