import { defineHandler } from '../../../../xrpc/handler.ts'
import { AuthRequiredError, InvalidRequestError } from '../../../../xrpc/errors.ts'
import { requireAccount, sessionBody } from '../../../_util/accounts.ts'

export default defineHandler({
  nsid: 'com.atproto.server.refreshSession',
  auth: 'refresh',
  handler: async ({ auth, services, ip, req }) => {
    if (auth.type !== 'refresh') throw AuthRequiredError()
    const account = requireAccount(services.accounts, auth.did)
    if (account.takedownRef) throw AuthRequiredError('Account has been taken down', 'AccountTakedown')
    const rotated = await services.accounts.rotateRefreshToken(auth.tokenId, { ip, userAgent: req.headers.get('user-agent') })
    if (!rotated) throw InvalidRequestError('Token has been revoked', 'ExpiredToken')
    return sessionBody(services.accounts, account, rotated)
  },
})
