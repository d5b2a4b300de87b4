import { defineHandler } from '../../../../xrpc/handler.ts'
import { AuthRequiredError } from '../../../../xrpc/errors.ts'
import { RATE, sessionBody } from '../../../_util/accounts.ts'
import { OLD_PASSWORD_MAX_LENGTH } from '../../../../services/auth/scrypt.ts'

type Input = { identifier: string; password: string; authFactorToken?: string; allowTakendown?: boolean }

export default defineHandler<unknown, Input>({
  nsid: 'com.atproto.server.createSession',
  auth: 'none',
  rateLimit: RATE.createSession,
  handler: async ({ input, services, ip, req }) => {
    if (input.password.length > OLD_PASSWORD_MAX_LENGTH) throw AuthRequiredError('Password too long. Consider resetting your password.')
    const { account, appPassword } = await services.accounts.login(input.identifier, input.password)
    if (!input.allowTakendown && account.takedownRef) throw AuthRequiredError('Account has been taken down', 'AccountTakedown')
    // Second factors guard the account password; app passwords are for apps that cannot ask for a code.
    if (!appPassword) await services.accounts.factors.checkSignIn(account.did, input.authFactorToken, ip)
    const device = { ip, userAgent: req.headers.get('user-agent') }
    const tokens = await services.accounts.createSession(account.did, appPassword, device)
    services.accounts.signIns.signedIn(account.did, device, appPassword ? `app password “${appPassword.name}”` : 'password')
    return sessionBody(services.accounts, account, tokens)
  },
})
