// What an operator does from the console, each through the same service path as the admin XRPC method
// (so a takedown emits #account on the firehose as updateSubjectStatus does) and each with one audit entry.
import type { AccountService } from '../accounts/account-service.ts'
import { sendEmail, setAccountInvitesDisabled, updateAccountEmail, updateAccountHandle } from '../accounts/admin.ts'
import { NEW_PASSWORD_MAX_LENGTH } from '../auth/scrypt.ts'
import { invalidInput } from '../errors.ts'
import type { AuditLog, Operator } from './audit.ts'

/** Where and by whom: recorded with every action. */
export type Acting = { by: Operator; ip: string | null }

export const MAX_REASON = 300

export class OperatorActions {
  constructor(
    private readonly accounts: AccountService,
    private readonly audit: AuditLog,
  ) {}

  private account(did: string) {
    const account = this.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
    if (!account) throw invalidInput('There is no such account here.', 'NotFound')
    return account
  }

  private log(a: Acting, action: string, subject: string, detail?: string) {
    this.audit.record(a.by, action, { subject, detail, ip: a.ip })
  }

  /** Takes the account down with a reason (its takedown ref); its sessions end and #account takendown goes out. */
  takedown(a: Acting, did: string, reason: string) {
    const ref = reason.trim().slice(0, MAX_REASON)
    if (!ref) throw invalidInput('Give a reason for the takedown (it is kept as the takedown reference).')
    this.account(did)
    this.accounts.setTakedown(did, ref)
    this.log(a, 'takedown', did, ref)
  }

  reverseTakedown(a: Acting, did: string, reason: string) {
    const account = this.account(did)
    if (!account.takedownRef) throw invalidInput('This account is not taken down.')
    this.accounts.setTakedown(did, null)
    this.log(a, 'reverse-takedown', did, reason.trim().slice(0, MAX_REASON) || undefined)
  }

  setDeactivated(a: Acting, did: string, deactivated: boolean) {
    this.account(did)
    if (deactivated) this.accounts.deactivateAccount(did, null)
    else this.accounts.activateAccount(did)
    this.log(a, deactivated ? 'deactivate' : 'activate', did)
  }

  async resetPassword(a: Acting, did: string, password: string) {
    if (password.length < 8 || password.length > NEW_PASSWORD_MAX_LENGTH) throw invalidInput(`The new password must be 8 to ${NEW_PASSWORD_MAX_LENGTH} characters.`)
    this.account(did)
    await this.accounts.updateAccountPassword(did, password)
    this.log(a, 'reset-password', did)
  }

  changeEmail(a: Acting, did: string, email: string) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalidInput('That is not an email address.')
    const before = this.account(did).email
    updateAccountEmail(this.accounts, did, email)
    this.log(a, 'change-email', did, `${before ?? '(none)'} → ${email.toLowerCase()}`)
  }

  async changeHandle(a: Acting, did: string, handle: string) {
    const before = this.account(did).handle
    await updateAccountHandle(this.accounts, did, handle)
    const after = this.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })?.handle ?? handle
    this.log(a, 'change-handle', did, `${before ?? '(none)'} → ${after}`)
  }

  setInvitesDisabled(a: Acting, did: string, disabled: boolean) {
    this.account(did)
    setAccountInvitesDisabled(this.accounts, did, disabled)
    this.log(a, disabled ? 'disable-account-invites' : 'enable-account-invites', did)
  }

  async sendEmail(a: Acting, did: string, subject: string, content: string) {
    if (!content.trim()) throw invalidInput('Write the message.')
    await sendEmail(this.accounts, { recipientDid: did, subject: subject.trim() || undefined, content })
    this.log(a, 'send-email', did, subject.trim() || undefined)
  }

  async deleteAccount(a: Acting, did: string) {
    const account = this.account(did)
    await this.accounts.deleteAccount(did)
    this.log(a, 'delete-account', did, account.handle ?? undefined)
  }

  createInvite(a: Acting, useCount: number, forAccount?: string): string {
    if (!Number.isInteger(useCount) || useCount < 1 || useCount > 1000) throw invalidInput('Uses must be a whole number from 1 to 1000.')
    const owner = forAccount ? this.account(forAccount).did : 'admin'
    const code = this.accounts.createInviteCodes([owner], 1, useCount)[0]!.codes[0]!
    this.log(a, 'create-invite', code, `${useCount} use${useCount === 1 ? '' : 's'}${forAccount ? ` for ${owner}` : ''}`)
    return code
  }

  disableInvite(a: Acting, code: string) {
    this.accounts.disableInviteCodes([code], [])
    this.log(a, 'disable-invite', code)
  }

  /** The operator's way back in for someone who lost every second factor (also `pds account reset-2fa`). */
  async resetSecondFactors(a: Acting, did: string) {
    this.account(did)
    const removed = this.accounts.factors.status(did)
    await this.accounts.factors.resetAll(did)
    this.log(a, 'reset-2fa', did)
    return removed
  }
}
