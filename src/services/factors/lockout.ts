// Wrong second-factor codes are counted per account and per client IP; past the limit the key is
// locked out for a while, even for right codes. A six-digit code must not be guessable: 10 tries per
// 15 minutes give an attacker about 1 in 33,000 per window (3 valid codes out of 10^6).
// Kept in account.sqlite, so a restart does not hand out fresh tries.
import type { Database } from 'bun:sqlite'
import * as rows from '../../storage/account/factors.ts'
import { factorLockedOut } from './errors.ts'

const MINUTE = 60_000

export type LockoutRule = { failures: number; windowMs: number; lockMs: number }

export const ACCOUNT_RULE: LockoutRule = { failures: 10, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE }
/** Looser per IP: many people may share one address (carrier NAT), but one address must not sweep accounts. */
export const IP_RULE: LockoutRule = { failures: 50, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE }

export type AttemptKeys = { did: string; ip?: string }

export class FactorLockout {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  private keys(k: AttemptKeys): [string, LockoutRule, string][] {
    const out: [string, LockoutRule, string][] = [[`did:${k.did}`, ACCOUNT_RULE, 'this account']]
    if (k.ip) out.push([`ip:${k.ip}`, IP_RULE, 'your network address'])
    return out
  }

  /** Throws 429 with the time left while the account or the IP is locked out. */
  assertNotLocked(k: AttemptKeys) {
    const now = this.now()
    for (const [key, , who] of this.keys(k)) {
      const row = rows.getAttempts(this.db, key)
      if (row?.lockedUntil && row.lockedUntil > now) {
        const minutes = Math.ceil((row.lockedUntil - now) / MINUTE)
        throw factorLockedOut(`Too many wrong sign-in codes for ${who}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`)
      }
    }
  }

  recordFailure(k: AttemptKeys) {
    const now = this.now()
    this.db.transaction(() => {
      for (const [key, rule] of this.keys(k)) {
        const row = rows.getAttempts(this.db, key)
        const fresh = !row || now - row.windowStart > rule.windowMs || (row.lockedUntil !== null && row.lockedUntil <= now)
        const failures = fresh ? 1 : row.failures + 1
        const windowStart = fresh ? now : row.windowStart
        rows.putAttempts(this.db, { key, failures, windowStart, lockedUntil: failures >= rule.failures ? now + rule.lockMs : null })
      }
    })()
  }

  /** A right code forgives the account's earlier mistakes (not the IP's). */
  recordSuccess(k: AttemptKeys) {
    rows.clearAttempts(this.db, `did:${k.did}`)
  }

  /** The operator's reset clears the account's lockout too. */
  clear(did: string) {
    rows.clearAttempts(this.db, `did:${did}`)
  }
}
