// Adapts the accounts service to what OAuth needs. Only the account password signs in to OAuth:
// app passwords are refused (an app password must not mint broader OAuth sessions).
import type { AccountService } from '../accounts/account-service.ts'
import type { OAuthAccountPort } from './context.ts'

export function accountPortFrom(accounts: () => AccountService): OAuthAccountPort {
  const active = (handleOrDid: string) => {
    const a = accounts().getAccount(handleOrDid)
    return a && a.active ? { did: a.did, handle: a.handle } : null
  }
  return {
    async authenticate(identifier, password) {
      try {
        // login() takes a minimum time whatever the outcome, so timing reveals nothing.
        const { account, appPassword } = await accounts().login(identifier, password)
        return appPassword ? null : active(account.did)
      } catch {
        return null
      }
    },
    getAccount: active,
  }
}
