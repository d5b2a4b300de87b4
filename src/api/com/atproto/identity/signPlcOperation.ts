import { defineHandler } from '../../../../xrpc/handler.ts'
import { requireFullAccess } from '../../../_util/accounts.ts'
import type { PlcOpFields } from '../../../../services/accounts/plc-flows.ts'

export default defineHandler<unknown, PlcOpFields & { token?: string }>({
  nsid: 'com.atproto.identity.signPlcOperation',
  // As requestPlcOperationSignature.
  auth: 'accessDeactivated',
  handler: async ({ auth, input, services }) => {
    const { token, ...fields } = input ?? {}
    const operation = await services.accounts.signPlcOperation(requireFullAccess(auth), token, fields)
    return { operation }
  },
})
