import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

export default defineHandler({
  nsid: 'com.atproto.server.listAppPasswords',
  auth: 'accessFull',
  handler: ({ auth, services }) => ({ passwords: services.accounts.listAppPasswords(callerDid(auth)) }),
})
