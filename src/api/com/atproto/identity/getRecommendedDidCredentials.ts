import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

export default defineHandler({
  nsid: 'com.atproto.identity.getRecommendedDidCredentials',
  auth: 'accessDeactivated',
  handler: ({ auth, services }) => services.accounts.recommendedDidCredentials(callerDid(auth)),
})
