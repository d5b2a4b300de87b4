import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

export default defineHandler({
  nsid: 'com.atproto.server.getAccountInviteCodes',
  auth: 'accessFull',
  handler: ({ auth, params, services }) => {
    let codes = services.accounts.getAccountInviteCodes(callerDid(auth))
    if (params.includeUsed === false) codes = codes.filter((c) => c.uses.length < c.available)
    return { codes }
  },
})
