// Second factors of an account: the email code at sign-in (the lexicons' emailAuthFactor), an
// authenticator app (TOTP) with backup codes, the check createSession runs after the password, and
// the operator's reset. Every change is written to the audit trail and sent to the account holder;
// codes and notices follow the person's preferred notification channel, email the fallback.
// Longer than most files: it is the one place that ties each factor (own modules: totp, backup codes,
// passkeys, trusted browsers, recovery, lockout) to the audit trail and the holder's notices.
import * as rows from '../../storage/account/factors.ts'
import * as emailTokens from '../../storage/account/email-tokens.ts'
import type { Database } from 'bun:sqlite'
import type { Logger } from '../../logger.ts'
import type { NotifyService } from '../notify/index.ts'
import { genEmailToken, EMAIL_TOKEN_TTL_MS } from '../mail/email-token.ts'
import { hashBackupCode, newBackupCodes, normaliseBackupCode } from './backup-codes.ts'
import { expiredFactorToken, factorStateError, factorTokenRequired, invalidFactorToken } from './errors.ts'
import { FactorLockout } from './lockout.ts'
import { CHANGES, type FactorChange } from './changes.ts'
import { qrSvg } from './qr.ts'
import { matchingStep, newTotpSecret, otpauthUri } from './totp.ts'
import { TrustedBrowsers } from './trusted-browsers.ts'
import { FactorRecovery } from './recovery.ts'
import { PasskeyService, type NewCredential, type PasskeyView } from './passkeys.ts'

/** What the factors need from the server: account.sqlite, the notification queue, and who an account is. */
export type FactorDeps = {
  db: Database
  notify: NotifyService
  log: Logger
  /** This server's hostname (the WebAuthn RP ID, the authenticator app's issuer) and public URL. */
  hostname: string
  publicUrl: string
  /** How long a recovery by email waits before it clears the factors (7 days when unset). */
  recoveryDelayMs?: number
  /** False for a passkey-only account: its last passkey cannot be removed. */
  hasPassword(did: string): boolean
  /** Any account, whatever its state; null when there is none. */
  getAccount(did: string): { handle: string | null; email: string | null; emailConfirmedAt: string | null } | null
}

export type FactorStatus = {
  emailAuthFactor: boolean
  totp: boolean
  /** A set-up was started and never finished: not a factor. */
  totpPending: boolean
  backupCodesRemaining: number
  passkeys: number
}

export type TotpSetup = { secret: string; uri: string; qrSvg: string }

/** Who made a change: the account holder, or the operator (recorded in the audit trail). */
export type FactorActor = 'self' | 'operator'

/** How the second factor was satisfied: a code of some kind, or a browser remembered after one. */
export type SignInFactor = { method: 'email' | 'totp' | 'backup' | 'trusted-browser'; backupCodesRemaining?: number }

/** How the XRPC answer names the channel a sign-in code went to. */
const CHANNEL_LABEL: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', signal: 'Signal', ntfy: 'ntfy' }

export class FactorService {
  readonly lockout: FactorLockout
  readonly passkeys: PasskeyService
  readonly trustedBrowsers: TrustedBrowsers
  readonly recovery: FactorRecovery

  constructor(
    private readonly deps: FactorDeps,
    private readonly now: () => number = Date.now,
  ) {
    this.lockout = new FactorLockout(deps.db, now)
    this.passkeys = new PasskeyService(deps.db, { id: deps.hostname, name: deps.hostname, origin: deps.publicUrl }, now)
    this.trustedBrowsers = new TrustedBrowsers(deps.db, now)
    this.recovery = new FactorRecovery({
      db: deps.db,
      now,
      delayMs: deps.recoveryDelayMs ?? 7 * 24 * 60 * 60 * 1000,
      publicUrl: deps.publicUrl,
      account: (did) => this.account(did),
      hasFactors: (did) => {
        const s = this.status(did)
        return s.totp || s.totpPending || s.emailAuthFactor || s.passkeys > 0
      },
      clearFactors: (did) => this.clearFactors(did),
      audit: (did, action) => this.audit(did, action, 'self'),
      // Recovery proves control of the email address: its links go there (through the queue).
      mail: (to, message) => this.deps.notify.mailer().send({ to, ...message }),
    })
  }

  private get db() {
    return this.deps.db
  }

  status(did: string): FactorStatus {
    const totp = rows.getTotp(this.db, did)
    return {
      emailAuthFactor: rows.getEmailAuthFactor(this.db, did),
      totp: !!totp?.confirmedAt,
      totpPending: !!totp && !totp.confirmedAt,
      backupCodesRemaining: totp?.confirmedAt ? rows.countUnusedBackupCodes(this.db, did) : 0,
      passkeys: rows.listPasskeys(this.db, did).length,
    }
  }

  emailAuthFactor(did: string): boolean {
    return rows.getEmailAuthFactor(this.db, did)
  }

  // Email code at sign-in
  // ---------------------

  /** Turning it on needs a confirmed address, kept as it is: the codes must reach the account holder. */
  assertEmailFactorAllowed(did: string, address?: string) {
    const account = this.account(did)
    const sameAddress = address === undefined || address.toLowerCase() === account.email
    if (!account.emailConfirmedAt || !sameAddress) throw factorStateError('Confirm your email address before turning on sign-in codes by email.')
  }

  async setEmailAuthFactor(did: string, on: boolean, actor: FactorActor = 'self') {
    if (on === rows.getEmailAuthFactor(this.db, did)) return
    if (on) this.assertEmailFactorAllowed(did)
    this.db.transaction(() => {
      rows.setEmailAuthFactor(this.db, did, on)
      this.audit(did, on ? 'email-enabled' : 'email-disabled', actor)
    })()
    await this.notify(did, on ? 'email-enabled' : 'email-disabled')
  }

  // Authenticator app
  // -----------------

  /** A fresh secret, its otpauth:// URI and QR code. Nothing is enabled until finishTotpSetup. */
  beginTotpSetup(did: string): TotpSetup {
    const account = this.account(did)
    if (rows.getTotp(this.db, did)?.confirmedAt) throw factorStateError('An authenticator app is already set up; remove it first.')
    const secret = newTotpSecret()
    rows.putPendingTotp(this.db, did, secret, new Date(this.now()).toISOString())
    const uri = otpauthUri({ secret, issuer: this.deps.hostname, account: account.handle ?? did })
    return { secret, uri, qrSvg: qrSvg(uri) }
  }

  /** The set-up in progress (begun, not finished), shown again after a wrong code; null when there is none. */
  pendingTotpSetup(did: string): TotpSetup | null {
    const pending = rows.getTotp(this.db, did)
    if (!pending || pending.confirmedAt) return null
    const account = this.account(did)
    const uri = otpauthUri({ secret: pending.secret, issuer: this.deps.hostname, account: account.handle ?? did })
    return { secret: pending.secret, uri, qrSvg: qrSvg(uri) }
  }

  /** One valid code from the app finishes the set-up; returns the backup codes, shown this once. */
  async finishTotpSetup(did: string, code: string, ip?: string): Promise<{ backupCodes: string[] }> {
    const pending = rows.getTotp(this.db, did)
    if (!pending) throw factorStateError('No authenticator set-up is in progress.')
    if (pending.confirmedAt) throw factorStateError('An authenticator app is already set up.')
    this.lockout.assertNotLocked({ did, ip })
    const step = matchingStep(pending.secret, code.replace(/\s/g, ''), this.now())
    if (step === null) {
      this.lockout.recordFailure({ did, ip })
      throw invalidFactorToken('That code is not right. Check the time on your phone and try the current code.')
    }
    const backupCodes = newBackupCodes()
    this.db.transaction(() => {
      rows.confirmTotp(this.db, did, new Date(this.now()).toISOString(), step)
      rows.replaceBackupCodes(this.db, did, backupCodes.map((c) => hashBackupCode(did, normaliseBackupCode(c)!)))
      this.audit(did, 'totp-enabled', 'self')
    })()
    this.lockout.recordSuccess({ did, ip })
    await this.notify(did, 'totp-enabled')
    return { backupCodes }
  }

  /** Removes the app and its backup codes (a pending set-up too). */
  async disableTotp(did: string, actor: FactorActor = 'self') {
    const existing = rows.getTotp(this.db, did)
    if (!existing) return
    this.db.transaction(() => {
      rows.deleteTotp(this.db, did)
      rows.deleteBackupCodes(this.db, did)
      if (existing.confirmedAt) this.audit(did, 'totp-disabled', actor)
    })()
    if (existing.confirmedAt) await this.notify(did, 'totp-disabled')
  }

  /** A new set of ten; the old set stops working. Only with an authenticator app (they back it up). */
  async regenerateBackupCodes(did: string): Promise<string[]> {
    if (!rows.getTotp(this.db, did)?.confirmedAt) throw factorStateError('Backup codes come with an authenticator app; set one up first.')
    const codes = newBackupCodes()
    this.db.transaction(() => {
      rows.replaceBackupCodes(this.db, did, codes.map((c) => hashBackupCode(did, normaliseBackupCode(c)!)))
      this.audit(did, 'backup-codes-regenerated', 'self')
    })()
    await this.notify(did, 'backup-codes-regenerated')
    return codes
  }

  // Passkeys
  // --------

  passkeyRegistrationOptions(did: string) {
    const account = this.account(did)
    return this.passkeys.registrationOptions(did, account.handle ?? did)
  }

  async addPasskey(did: string, name: string, response: unknown): Promise<PasskeyView> {
    const added = await this.passkeys.register(did, name, response)
    this.audit(did, 'passkey-added', 'self')
    await this.notify(did, 'passkey-added', `Its name: ${added.name}.`)
    return added
  }

  /** Options for a username-less passkey sign-in (the web sign-in pages). */
  passkeySignInOptions() {
    return this.passkeys.authenticationOptions()
  }

  /**
   * A whole sign-in with a passkey (user verification required: something the person has and is or
   * knows), for the web sign-in pages: the DID of the account whose passkey answered our challenge.
   */
  async signInWithPasskey(response: unknown): Promise<string> {
    const did = await this.passkeys.authenticate(response)
    await this.cancelRecovery(did, 'signed-in')
    return did
  }

  /** The passkey of an account made without a password, stored once the account exists. */
  passkeyAtSignUp(did: string, name: string, credential: NewCredential) {
    this.db.transaction(() => {
      this.passkeys.save(did, name, credential)
      this.audit(did, 'passkey-added', 'self')
    })()
  }

  /** The password is gone (passkeys only now): recorded and told to the account holder. */
  async passwordRemoved(did: string) {
    this.audit(did, 'password-removed', 'self')
    await this.notify(did, 'password-removed')
  }

  async removePasskey(did: string, id: string) {
    const mine = this.passkeys.list(did)
    if (mine.length === 1 && mine[0]!.id === id && !this.deps.hasPassword(did)) {
      throw factorStateError('This is the only way into your account (it has no password): add another passkey or set a password before removing it.')
    }
    if (!this.passkeys.remove(did, id)) throw factorStateError('No such passkey on this account.')
    this.audit(did, 'passkey-removed', 'self')
    await this.notify(did, 'passkey-removed')
  }

  // Sign-in
  // -------

  /**
   * Runs after a right account password (app passwords skip it: they exist for apps that cannot ask
   * for a code). Without a code: mails one when the email factor is on, then AuthFactorTokenRequired.
   * With one: an authenticator code, an emailed code or a backup code, each usable once. On the web,
   * `trustedTokens` (the browser's) skip the factor when one is a live trust of this account.
   */
  async checkSignIn(did: string, token: string | undefined, ip?: string, opts: { trustedTokens?: string[] } = {}): Promise<SignInFactor | null> {
    const status = this.status(did)
    if (!status.emailAuthFactor && !status.totp) return null
    if (opts.trustedTokens?.length && this.trustedBrowsers.isTrusted(did, opts.trustedTokens)) return { method: 'trusted-browser' }
    this.lockout.assertNotLocked({ did, ip })
    const given = token?.trim()
    if (!given) {
      if (status.emailAuthFactor) {
        const where = await this.sendSignInCode(did)
        const sent = where === 'email' ? 'A sign in code has been sent to your email address' : `A sign in code has been sent to you over ${CHANNEL_LABEL[where] ?? where}`
        throw factorTokenRequired(status.totp ? `${sent} (or use your authenticator app).` : sent)
      }
      throw factorTokenRequired('Enter the code from your authenticator app, or a backup code')
    }
    const used = this.useFactor(did, given, status)
    if (used === 'expired' || !used) {
      this.lockout.recordFailure({ did, ip })
      throw used === 'expired' ? expiredFactorToken() : invalidFactorToken()
    }
    this.lockout.recordSuccess({ did, ip })
    // Whoever holds a factor is the account holder: a recovery someone asked for ends here.
    await this.cancelRecovery(did, 'signed-in')
    if (used.method === 'backup') {
      const n = used.backupCodesRemaining ?? 0
      await this.notify(did, 'backup-code-used', `${n} backup code${n === 1 ? '' : 's'} remain${n === 1 ? 's' : ''}.`)
    }
    return used
  }

  private useFactor(did: string, token: string, status: FactorStatus): SignInFactor | 'expired' | null {
    if (status.totp) {
      const totp = rows.getTotp(this.db, did)!
      const step = matchingStep(totp.secret, token.replace(/\s/g, ''), this.now())
      if (step !== null && rows.useTotpStep(this.db, did, step)) return { method: 'totp' }
    }
    if (status.emailAuthFactor) {
      const found = emailTokens.getEmailToken(this.db, 'sign_in', did)
      if (found && found.token === token.toUpperCase()) {
        emailTokens.deleteEmailToken(this.db, 'sign_in', did)
        return this.now() - new Date(found.requestedAt).getTime() > EMAIL_TOKEN_TTL_MS ? 'expired' : { method: 'email' }
      }
    }
    if (status.totp) {
      const code = normaliseBackupCode(token)
      if (code && rows.useBackupCode(this.db, did, hashBackupCode(did, code), new Date(this.now()).toISOString())) {
        return { method: 'backup', backupCodesRemaining: rows.countUnusedBackupCodes(this.db, did) }
      }
    }
    return null
  }

  /** A fresh code to the preferred channel (email the fallback), queued with the code; returns the channel. */
  private async sendSignInCode(did: string): Promise<string> {
    const account = this.account(did)
    if (!account.email) throw factorStateError('account does not have an email address')
    const token = genEmailToken()
    const notification = this.deps.notify.forAccount(did, 'sign_in_code', { code: token, handle: account.handle ?? account.email }, account.email)
    const id = this.db.transaction(() => {
      emailTokens.upsertEmailToken(this.db, 'sign_in', did, token, new Date(this.now()).toISOString())
      return this.deps.notify.enqueue(notification)
    })()
    await this.deps.notify.dispatch(id)
    return notification.channel
  }

  // Recovery
  // --------

  /** The operator's `pds account reset-2fa`: every factor and lockout goes, with an audit entry. */
  async resetAll(did: string) {
    this.account(did)
    this.db.transaction(() => {
      this.clearFactors(did)
      this.recovery.cancel(did)
      this.audit(did, 'reset-by-operator', 'operator')
    })()
    await this.notify(did, 'reset-by-operator')
  }

  /** Starts a recovery by email (see recovery.ts); nothing for an account without factors. */
  requestRecovery(did: string) {
    return this.recovery.request(did)
  }

  /** Ends a pending recovery (its link, the Security view, or a sign-in with a factor) and says so. */
  async cancelRecovery(did: string, how: 'signed-in' | 'self') {
    if (!this.recovery.cancel(did)) return
    await this.notify(did, 'recovery-cancelled', how === 'signed-in' ? 'You signed in with a second factor, which cancels it.' : '')
  }

  /** Finishes a due recovery with its mailed token: every factor is gone. Returns the DID. */
  async finishRecovery(token: string): Promise<string> {
    const did = this.recovery.finish(token)
    await this.notify(did, 'reset-by-recovery')
    return did
  }

  /** Every factor, its codes, lockouts and trusted browsers (inside the caller's transaction). */
  private clearFactors(did: string) {
    rows.setEmailAuthFactor(this.db, did, false)
    rows.deleteTotp(this.db, did)
    rows.deleteBackupCodes(this.db, did)
    emailTokens.deleteEmailToken(this.db, 'sign_in', did)
    this.passkeys.removeAll(did)
    this.trustedBrowsers.forgetAll(did)
    this.lockout.clear(did)
  }

  auditTrail(did: string) {
    return rows.listFactorAudit(this.db, did)
  }

  // Helpers
  // -------

  private account(did: string) {
    const account = this.deps.getAccount(did)
    if (!account) throw factorStateError('account not found')
    return account
  }

  private audit(did: string, action: FactorChange, actor: FactorActor) {
    rows.addFactorAudit(this.db, { did, action, actor, at: new Date(this.now()).toISOString() })
  }

  /** A notice that cannot be sent is logged; it never undoes the change (app passwords send theirs too). */
  async notify(did: string, change: FactorChange, extra?: string) {
    const account = this.deps.getAccount(did)
    if (!account) return
    try {
      const text = `${CHANGES[change]}${extra ? ` ${extra}` : ''}`
      await this.deps.notify.toAccount(did, 'factor_change', { change: text, handle: account.handle ?? did }, account.email)
    } catch (err) {
      this.deps.log.warn('could not send a security notice', { did, change, err: String(err) })
    }
  }
}
