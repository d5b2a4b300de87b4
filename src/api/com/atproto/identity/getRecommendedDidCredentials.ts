import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../services/accounts/handler-util.ts'

export default defineHandler({
  nsid: 'com.atproto.identity.getRecommendedDidCredentials',
  auth: 'accessDeactivated',
  handler: ({ auth, services }) => services.accounts.recommendedDidCredentials(callerDid(auth)),
})
