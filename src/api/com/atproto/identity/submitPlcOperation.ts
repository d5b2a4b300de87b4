import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

export default defineHandler<unknown, { operation: unknown }>({
  nsid: 'com.atproto.identity.submitPlcOperation',
  auth: 'accessDeactivated',
  handler: async ({ auth, input, services }) => {
    await services.accounts.submitPlcOperation(callerDid(auth), input.operation)
  },
})
