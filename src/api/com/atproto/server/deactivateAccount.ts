import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

export default defineHandler<unknown, { deleteAfter?: string }>({
  nsid: 'com.atproto.server.deactivateAccount',
  auth: 'accessFull',
  handler: ({ auth, input, services }) => {
    services.accounts.deactivateAccount(callerDid(auth), input?.deleteAfter ?? null)
  },
})
