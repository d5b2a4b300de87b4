// Recovery for a person who lost every second factor (phone, backup codes, passkeys): asked for by
// handle or email, it mails the account's address a link and clears the factors only after a delay
// (7 days by default, PDS_FACTOR_RECOVERY_DELAY). Meanwhile the account holder, told by that mail, can
// cancel with its other link or by signing in with a factor. Finishing needs the mailed link after the
// delay and sets a new password (a passkey-only account would otherwise have no way in). The operator's
// `pds account reset-2fa` is the other path, at once.
import type { Database } from 'bun:sqlite'
import { createHash, randomBytes } from 'node:crypto'
import * as rows from '../../storage/account/factor-recovery.ts'
import { invalidInput } from '../errors.ts'

export type RecoveryView = { did: string; requestedAt: number; dueAt: number; due: boolean }

/** What recovery needs from the factor service. */
export type RecoveryHost = {
  db: Database
  now: () => number
  delayMs: number
  /** Where the mailed links point (the account app's recovery pages). */
  publicUrl: string
  account(did: string): { handle: string | null; email: string | null }
  hasFactors(did: string): boolean
  /** Removes every factor (and trusted browser) with an audit entry, inside the caller's transaction. */
  clearFactors(did: string): void
  audit(did: string, action: 'recovery-requested' | 'recovery-cancelled' | 'reset-by-recovery'): void
  mail(to: string, message: { subject: string; text: string }): Promise<void>
}

export const RECOVERY_PATH = '/account/recover'
const REMAIL_AFTER_MS = 10 * 60_000
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url')
const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`

export class FactorRecovery {
  constructor(private readonly host: RecoveryHost) {}

  private get db() {
    return this.host.db
  }

  pending(did: string): RecoveryView | null {
    const row = rows.getRecovery(this.db, did)
    return row ? this.view(row) : null
  }

  /** The recovery a mailed token belongs to, or null (cancelled, finished, replaced or made up). */
  byToken(token: string): RecoveryView | null {
    const row = token ? rows.getRecoveryByToken(this.db, hashOf(token)) : null
    return row ? this.view(row) : null
  }

  /**
   * Starts (or renews: a new link, the first request's time kept, so asking again never brings the
   * date closer) and mails the account's address. Nothing for an account without factors or address,
   * nor within minutes of the last mail for it.
   */
  async request(did: string): Promise<void> {
    const account = this.host.account(did)
    if (!account.email || !this.host.hasFactors(did)) return
    const token = randomBytes(32).toString('base64url')
    const now = this.host.now()
    const earlier = rows.getRecovery(this.db, did)
    if (earlier && now - earlier.mailedAt < REMAIL_AFTER_MS) return
    const row = { did, tokenHash: hashOf(token), requestedAt: earlier?.requestedAt ?? now, dueAt: earlier?.dueAt ?? now + this.host.delayMs, mailedAt: now }
    this.db.transaction(() => {
      rows.putRecovery(this.db, row)
      if (!earlier) this.host.audit(did, 'recovery-requested')
    })()
    const link = (what: string) => `${this.host.publicUrl}${RECOVERY_PATH}/${what}?token=${token}`
    await this.host.mail(account.email, {
      subject: 'Two-factor recovery requested',
      text:
        `Someone asked to remove the second factors of @${account.handle ?? did} (authenticator app, backup codes, email codes, passkeys) because they were lost.\n\n` +
        `If it was you: after ${when(row.dueAt)} open this link and choose a new password; the factors are removed then:\n${link('finish')}\n\n` +
        `If it was not you: cancel it now with this link, or simply sign in with your authenticator app, a backup code or a passkey, which cancels it too:\n${link('cancel')}`,
    })
  }

  /** Ends a pending recovery; false when there was none. */
  cancel(did: string): boolean {
    return this.db.transaction(() => {
      const gone = rows.deleteRecovery(this.db, did)
      if (gone) this.host.audit(did, 'recovery-cancelled')
      return gone
    })()
  }

  /** After the delay, with the mailed token: every factor goes. Returns the account's DID. */
  finish(token: string): string {
    const found = this.byToken(token)
    if (!found) throw invalidInput('This recovery link is not valid: it was cancelled, used, or replaced by a newer one.', 'InvalidToken')
    if (!found.due) throw invalidInput(`This recovery can be finished after ${when(found.dueAt)}.`, 'InvalidToken')
    this.db.transaction(() => {
      rows.deleteRecovery(this.db, found.did)
      this.host.clearFactors(found.did)
      this.host.audit(found.did, 'reset-by-recovery')
    })()
    return found.did
  }

  private view(row: rows.RecoveryRow): RecoveryView {
    return { did: row.did, requestedAt: row.requestedAt, dueAt: row.dueAt, due: row.dueAt <= this.host.now() }
  }
}
