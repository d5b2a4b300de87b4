import { defineHandler } from '../../../../xrpc/handler.ts'
import { RATE } from '../../../_util/accounts.ts'
import { bearerToken } from '../../../../xrpc/auth-scheme.ts'

export default defineHandler({
  nsid: 'com.atproto.server.createAccount',
  auth: 'none',
  rateLimit: RATE.createAccount,
  handler: async ({ input, services, req }) => {
    // Bringing a DID (migration) needs service auth from that DID; plain sign-ups carry no auth.
    let requester: string | null = null
    const token = input.did ? bearerToken(req) : undefined
    if (token) {
      const auth = await services.verifyAuth('service', { req, nsid: 'com.atproto.server.createAccount' })
      requester = auth.type === 'service' ? auth.did : null
    }
    return services.accounts.createAccount(input, requester)
  },
})
