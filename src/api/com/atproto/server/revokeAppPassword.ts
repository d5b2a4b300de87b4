import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

export default defineHandler<unknown, { name: string }>({
  nsid: 'com.atproto.server.revokeAppPassword',
  auth: 'accessFull',
  handler: ({ auth, input, services }) => {
    services.accounts.revokeAppPassword(callerDid(auth), input.name)
  },
})
