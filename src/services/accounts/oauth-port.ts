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
    passwordProblem(identifier) {
      // As createSession and the account app say it: the account exists and signs in with passkeys only.
      const found = accounts().findAccount(identifier)
      return found && !accounts().hasPassword(found.did) ? 'This account has no password: use your passkey below.' : null
    },
    async secondFactor(did, code, browser) {
      const factors = accounts().factors
      try {
        const used = await factors.checkSignIn(did, code?.trim() || undefined, browser.ip, { trustedTokens: browser.trustedTokens })
        const remember = used && used.method !== 'trusted-browser' && browser.remember
        return remember ? { trustToken: factors.trustedBrowsers.remember(did, browser) } : {}
      } catch (err) {
        // Wrong, expired or missing code, or a lockout: the page shows the message beside the code field.
        if (err instanceof DomainError && err.kind !== 'internal') return { problem: err.message }
        throw err
      }
    },
    passkeyOptions: () => accounts().factors.passkeySignInOptions(),
    async passkeySignIn(response) {
      let did: string
      try {
        did = await accounts().factors.signInWithPasskey(response)
      } catch (err) {
        if (err instanceof DomainError && err.kind !== 'internal') return err.message
        throw err
      }
      return active(did) ?? 'This account cannot sign in right now (it is deactivated, taken down or gone).'
    },
    signedIn: (did, browser) => accounts().signIns.signedIn(did, browser, 'OAuth sign-in page'),
    getAccount: active,
  }
}
