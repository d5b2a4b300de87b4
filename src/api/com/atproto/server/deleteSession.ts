import { defineHandler } from '../../../../xrpc/handler.ts'
import { AuthRequiredError } from '../../../../xrpc/errors.ts'

export default defineHandler({
  nsid: 'com.atproto.server.deleteSession',
  auth: 'refresh',
  handler: ({ auth, services }) => {
    if (auth.type !== 'refresh') throw AuthRequiredError()
    services.accounts.revokeRefreshToken(auth.tokenId)
  },
})
