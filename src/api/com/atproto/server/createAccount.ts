import { defineHandler } from '../../../../xrpc/handler.ts'
import { RATE } from '../../../_util/accounts.ts'
import { bearerToken } from '../../../../xrpc/auth-scheme.ts'

export default defineHandler({
  nsid: 'com.atproto.server.createAccount',
  auth: 'none',
  rateLimit: RATE.createAccount,
  handler: async ({ input, services, req, ip }) => {
    // Bringing a DID (migration) needs service auth from that DID; plain sign-ups carry no auth.
    let requester: string | null = null
    const token = input.did ? bearerToken(req) : undefined
    if (token) {
      const auth = await services.verifyAuth('service', { req, nsid: 'com.atproto.server.createAccount' })
      requester = auth.type === 'service' ? auth.did : null
    }
    const device = { ip, userAgent: req.headers.get('user-agent') }
    const created = await services.accounts.createAccount(input, requester, device)
    // The device that signed up is the account's own: its next sign-in is not a "new sign-in".
    services.accounts.signIns.remember(created.did, device)
    return created
  },
})
