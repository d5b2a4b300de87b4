// "A new sign-in" alerts (issue 22): a sign-in from an IP address and user agent pair the account has
// not signed in from (within 180 days) sends a notice to the person's preferred channel, email the
// fallback. Only hashes of the pair are kept. The device that created the account is remembered
// quietly, so a person's own next sign-in does not alarm them.
import { createHash } from 'node:crypto'
import type { Database } from 'bun:sqlite'
import type { Logger } from '../../logger.ts'
import type { NotifyService } from '../notify/index.ts'
import { pruneSignInDevices, recordSignInDevice } from '../../storage/account/sign-in-devices.ts'

export type SignInDevice = { ip: string | null; userAgent: string | null }

const FORGET_AFTER_MS = 180 * 24 * 60 * 60 * 1000
const MAX_DEVICE_TEXT = 120

export class SignInAlerts {
  constructor(
    private readonly db: Database,
    private readonly notify: NotifyService,
    private readonly log: Logger,
    private readonly getAccount: (did: string) => { handle: string | null; email: string | null } | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** The device an account was created from: not "new" at its next sign-in. */
  remember(did: string, device: SignInDevice) {
    recordSignInDevice(this.db, did, deviceHash(did, device), new Date(this.now()).toISOString())
  }

  /**
   * After a complete sign-in (password and any second factor): records the device and, when it is new,
   * queues the alert without waiting for its delivery. `via` says how (password, account app, OAuth…).
   * Never throws: an alert that cannot be queued is logged, the sign-in stands.
   */
  signedIn(did: string, device: SignInDevice, via: string): void {
    try {
      const now = this.now()
      pruneSignInDevices(this.db, did, new Date(now - FORGET_AFTER_MS).toISOString())
      if (!recordSignInDevice(this.db, did, deviceHash(did, device), new Date(now).toISOString())) return
      const account = this.getAccount(did)
      if (!account) return
      const vars = { handle: account.handle ?? did, via, time: new Date(now).toUTCString(), ip: device.ip ?? 'unknown', device: describeDevice(device.userAgent) }
      this.notify.toAccount(did, 'new_sign_in', vars, account.email).catch((err) => this.failed(did, err))
    } catch (err) {
      this.failed(did, err)
    }
  }

  private failed(did: string, err: unknown) {
    this.log.warn('could not send a new sign-in alert', { did, err: String(err) })
  }
}

function deviceHash(did: string, device: SignInDevice): string {
  return createHash('sha256').update(`${did}\n${device.ip ?? ''}\n${device.userAgent ?? ''}`).digest('base64url')
}

/** The user agent as the person will read it: one short line, no control characters. */
export function describeDevice(userAgent: string | null): string {
  const clean = (userAgent ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  if (!clean) return 'unknown (no user agent)'
  return clean.length > MAX_DEVICE_TEXT ? `${clean.slice(0, MAX_DEVICE_TEXT)}…` : clean
}
