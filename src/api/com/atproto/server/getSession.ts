import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { sessionBody } from '../../../_util/accounts.ts'
import { hideEmailWithoutScope } from '../../../../services/oauth/method-policy.ts'

export default defineHandler({
  nsid: 'com.atproto.server.getSession',
  auth: 'accessDeactivated',
  handler: async ({ auth, services }) => {
    const did = callerDid(auth)
    // A deactivated account still has a session; a taken-down one does not (its older tokens get 400), as the reference.
    const account = services.accounts.getAccount(did, { includeDeactivated: true })
    if (!account) throw InvalidRequestError(`Could not find user info for account: ${did}`)
    return hideEmailWithoutScope(auth, await sessionBody(services.accounts, account))
  },
})
