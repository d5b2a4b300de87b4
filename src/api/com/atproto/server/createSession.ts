import { defineHandler } from '../../../../xrpc/handler.ts'
import { AuthRequiredError } from '../../../../xrpc/errors.ts'
import { RATE, sessionBody } from '../../../_util/accounts.ts'
import { OLD_PASSWORD_MAX_LENGTH } from '../../../../services/auth/scrypt.ts'

export default defineHandler<unknown, { identifier: string; password: string; allowTakendown?: boolean }>({
  nsid: 'com.atproto.server.createSession',
  auth: 'none',
  rateLimit: RATE.createSession,
  handler: async ({ input, services }) => {
    if (input.password.length > OLD_PASSWORD_MAX_LENGTH) throw AuthRequiredError('Password too long. Consider resetting your password.')
    const { account, appPassword } = await services.accounts.login(input.identifier, input.password)
    if (!input.allowTakendown && account.takedownRef) throw AuthRequiredError('Account has been taken down', 'AccountTakedown')
    const tokens = await services.accounts.createSession(account.did, appPassword)
    return sessionBody(services.accounts, account, tokens)
  },
})
