// The operator sets an account's handle (reserved names allowed); did:plc documents follow. Admin password only.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { updateAccountHandle } from '../../../../services/accounts/admin.ts'

export default defineHandler<unknown, { did: string; handle: string }>({
  nsid: 'com.atproto.admin.updateAccountHandle',
  auth: 'admin',
  handler: async ({ input, services }) => {
    await updateAccountHandle(services.accounts, input.did, input.handle)
  },
})
