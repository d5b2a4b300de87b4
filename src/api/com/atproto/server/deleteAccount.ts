import { defineHandler } from '../../../../xrpc/handler.ts'
import { RATE, revokeOAuthSessions } from '../../../_util/accounts.ts'

/** The owner's deletion: no session needed, the password and the emailed token prove it. */
export default defineHandler<unknown, { did: string; password: string; token: string }>({
  nsid: 'com.atproto.server.deleteAccount',
  auth: 'none',
  rateLimit: RATE.deleteAccount,
  handler: async ({ input, services }) => {
    await services.accounts.deleteAccountWithToken(input.did, input.password, input.token)
    revokeOAuthSessions(services, input.did)
  },
})
