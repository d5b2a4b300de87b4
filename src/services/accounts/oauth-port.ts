// Adapts the accounts service to what OAuth needs (here, so that OAuth never imports accounts). Only
// the account password signs in to OAuth: app passwords are refused (an app password must not mint
// broader OAuth sessions).
import type { AccountService } from './account-service.ts'
import type { OAuthAccountPort } from '../oauth/context.ts'
import { DomainError } from '../errors.ts'

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
    async secondFactor(did, code, ip) {
      try {
        await accounts().factors.checkSignIn(did, code?.trim() || undefined, ip)
        return null
      } catch (err) {
        // Wrong, expired or missing code, or a lockout: the page shows the message beside the code field.
        if (err instanceof DomainError && err.kind !== 'internal') return err.message
        throw err
      }
    },
    signedIn: (did, browser) => accounts().signIns.signedIn(did, browser, 'OAuth sign-in page'),
    getAccount: active,
  }
}
