// Who may use the operator's console: the admin password (PDS_ADMIN_PASSWORD), and the accounts named
// in PDS_ADMIN_HANDLES with their own password and second factor (the account app's checks).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { AccountService } from '../accounts/account-service.ts'
import type { AccountView } from '../accounts/account-manager.ts'
import { ADMIN, type Operator } from './audit.ts'

/** Equal length digests, so the comparison takes the same time whatever was typed. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

export type SignInOutcome =
  | { ok: true; operator: Operator }
  | { ok: false; reason: 'wrong' }
  /** A right password of an operator account whose second factor is still to be given (or was wrong). */
  | { ok: false; reason: 'factor'; message: string }

export class ConsoleSignIn {
  private readonly names: Set<string>

  constructor(
    private readonly deps: { adminPassword: string; adminHandles: string[]; accounts: AccountService },
  ) {
    this.names = new Set(deps.adminHandles.map((h) => h.toLowerCase().replace(/^@/, '')))
  }

  /** Whether accounts may sign in at all (the form asks for a handle only then). */
  get acceptsAccounts(): boolean {
    return this.names.size > 0
  }

  /**
   * `identifier` empty (or "admin"): the admin password. Otherwise an operator account's handle or
   * email, its password, then `code` for its second factor (a factor failure says what is missing).
   */
  async check(identifier: string, password: string, code: string | undefined, ip: string | null): Promise<SignInOutcome> {
    const who = identifier.trim().replace(/^@/, '')
    if (!who || who.toLowerCase() === 'admin') return sameSecret(password, this.deps.adminPassword) ? { ok: true, operator: ADMIN } : { ok: false, reason: 'wrong' }
    if (!this.acceptsAccounts) return { ok: false, reason: 'wrong' }
    const account = await this.deps.accounts.signInWithPassword(who, password)
    if (!account || !this.isOperator(account)) return { ok: false, reason: 'wrong' }
    try {
      await this.deps.accounts.factors.checkSignIn(account.did, code || undefined, ip ?? undefined)
    } catch (err) {
      const kind = (err as { kind?: string }).kind
      if (kind && kind !== 'internal') return { ok: false, reason: 'factor', message: (err as Error).message }
      throw err
    }
    return { ok: true, operator: { kind: 'account', did: account.did, handle: account.handle ?? account.did } }
  }

  /** The operator behind a console session's actor, or null when it may no longer use the console. */
  operatorOf(actor: string): Operator | null {
    if (actor === 'admin') return ADMIN
    const account = this.deps.accounts.getAccount(actor, { includeDeactivated: true, includeTakenDown: true })
    return account && this.isOperator(account) ? { kind: 'account', did: account.did, handle: account.handle ?? account.did } : null
  }

  private isOperator(account: AccountView): boolean {
    if (account.takedownRef || account.deactivatedAt) return false
    return this.names.has(account.did.toLowerCase()) || (!!account.handle && this.names.has(account.handle.toLowerCase()))
  }
}
