import { defineHandler } from '../../../../xrpc/handler.ts'
import { requireFullAccess } from '../../../_util/accounts.ts'

export default defineHandler({
  nsid: 'com.atproto.identity.requestPlcOperationSignature',
  // Full sessions, also of deactivated or taken-down accounts (moving away must stay possible).
  auth: 'accessDeactivated',
  handler: async ({ auth, services }) => {
    await services.accounts.requestPlcOperationSignature(requireFullAccess(auth))
  },
})
