// services.accounts: the one object handlers use for accounts, sessions, invites, email and identity.
import type { AvailabilityFlags } from '../../storage/account/actors.ts'
import * as inviteRows from '../../storage/account/invites.ts'
import type { CID } from '../../core/cbor.ts'
import type { AccountsContext } from './context.ts'
import type { AccountManager, AccountView, SessionDevice } from './account-manager.ts'
import { createAccount, type CreateAccountInput } from './create-account.ts'
import * as lifecycle from './lifecycle.ts'
import * as email from './email-flows.ts'
import * as plc from './plc-flows.ts'
import * as invites from './invites.ts'
import { atprotoData, type DidDocument } from '../../core/did-doc.ts'
import { FactorService } from '../factors/factor-service.ts'
import { resolveAppPasswordScope } from '../oauth/app-password-scopes.ts'
import { permissionSetsFrom, type PermissionSetSource } from '../oauth/permission-sets.ts'
import { Lexicons } from '../../core/lexicon/index.ts'
import { lexiconSources } from '../../generated/lexicons.gen.ts'
import * as creds from '../../storage/account/credentials.ts'
import { WebSessions } from './web-sessions.ts'
import { normalizeAndValidateHandle } from './handles.ts'
import { DomainError, invalidInput } from '../errors.ts'
import { SignInAlerts } from './sign-in-alerts.ts'
import * as didWeb from './did-web.ts'

export class AccountService {
  /** Second factors: email codes, authenticator app, backup codes (src/services/factors). */
  readonly factors: FactorService
  /** The account web app's browser sessions. */
  readonly webSessions: WebSessions
  /** "A new sign-in" alerts: every way of signing in reports here once it succeeded. */
  readonly signIns: SignInAlerts

  constructor(readonly ctx: AccountsContext) {
    this.webSessions = new WebSessions(ctx.manager.db)
    this.factors = new FactorService({
      db: ctx.manager.db,
      notify: ctx.notify,
      log: ctx.log,
      hostname: ctx.config.service.hostname,
      publicUrl: ctx.config.service.publicUrl,
      getAccount: (did) => ctx.manager.getAccount(did, { includeDeactivated: true, includeTakenDown: true }),
      hasPassword: (did) => ctx.manager.hasPassword(did),
      recoveryDelayMs: ctx.config.factors.recoveryDelayMs,
    })
    this.signIns = new SignInAlerts(ctx.manager.db, ctx.notify, ctx.log, (did) => ctx.manager.getAccount(did, { includeDeactivated: true, includeTakenDown: true }))
  }

  /** The account store itself, for the composition root and tests; handlers use the methods below. */
  get manager() {
    return this.ctx.manager
  }

  // Sessions and app passwords (src/services/accounts/account-manager.ts)
  login = (identifier: string, password: string) => this.ctx.manager.login(identifier, password)
  createSession = (did: string, appPassword: Parameters<AccountManager['createSession']>[1], device?: SessionDevice) =>
    this.ctx.manager.createSession(did, appPassword, device)
  rotateRefreshToken = (id: string, device?: SessionDevice) => this.ctx.manager.rotateRefreshToken(id, device)
  revokeRefreshToken = (id: string) => this.ctx.manager.revokeRefreshToken(id)
  updateAccountPassword = (did: string, password: string) => this.ctx.manager.updateAccountPassword(did, password)
  listAppPasswords = (did: string) => this.ctx.manager.listAppPasswords(did)
  /** Moderation: a random password, no app passwords, every session (OAuth included) ended. */
  revokeAccountCredentials = (did: string) => this.ctx.manager.revokeAccountCredentials(did)
  /** Revokes and tells the account holder (a notice that cannot be sent is logged). */
  revokeAppPassword(did: string, name: string) {
    if (!creds.getAppPassword(this.ctx.manager.db, did, name)) return
    this.ctx.manager.revokeAppPassword(did, name)
    void this.factors.notify(did, 'app-password-removed', `Its name: ${name}.`)
  }

  getAccount(handleOrDid: string, flags?: AvailabilityFlags): AccountView | null {
    return this.ctx.manager.getAccount(handleOrDid, flags)
  }

  getAccountByEmail(address: string, flags?: AvailabilityFlags): AccountView | null {
    return this.ctx.manager.getAccountByEmail(address, flags)
  }

  listAccounts(cursor: string | undefined, limit: number) {
    return this.ctx.manager.listAccounts(cursor, limit)
  }

  /** The repo head as account.sqlite's repo_root keeps it (listRepos, firehose recovery: no actor store opened). */
  getRepoRoot(did: string): { cid: CID; rev: string } | null {
    return this.ctx.manager.getRepoRoot(did)
  }

  /** Called by RepoService after each commit; durable once the promise resolves. */
  updateRepoRoot(did: string, cid: CID | string, rev: string) {
    return this.ctx.manager.updateRepoRoot(did, cid, rev)
  }

  createAccount(input: CreateAccountInput, requesterDid: string | null, device?: SessionDevice) {
    return createAccount(this.ctx, input, requesterDid, { device })
  }

  /**
   * An account without a password: the passkey made for it is checked first (its challenge spent), the
   * account made, then the passkey stored. A refused sign-up (handle taken…) leaves nothing behind.
   */
  async createAccountWithPasskey(input: Omit<CreateAccountInput, 'password' | 'plcOp'>, passkey: { name: string; response: unknown }) {
    const { name, credential } = await this.factors.passkeys.verifySignUp(passkey.name, passkey.response)
    const created = await createAccount(this.ctx, input, null, { passkeyOnly: true })
    this.factors.passkeyAtSignUp(created.did, name, credential)
    return created
  }

  /** Converts to passkeys only (at least one passkey needed): the password and its sessions stop working. */
  async removePassword(did: string) {
    if (!this.factors.passkeys.list(did).length) throw invalidInput('Add a passkey first: without a password, your passkeys are how you sign in.')
    if (!this.ctx.manager.hasPassword(did)) return
    this.ctx.manager.removePassword(did)
    await this.factors.passwordRemoved(did)
  }

  /**
   * Finishes a due recovery of lost factors (its mailed token): a new password, every session ended,
   * then every factor removed. The password is checked before anything changes.
   */
  async finishFactorRecovery(token: string, password: string): Promise<string> {
    const found = this.factors.recovery.byToken(token)
    if (!found) throw invalidInput('This recovery link is not valid: it was cancelled, used, or replaced by a newer one.', 'InvalidToken')
    if (found.due) await this.ctx.manager.updateAccountPassword(found.did, password)
    return this.factors.finishRecovery(token)
  }

  async deleteAccount(did: string) {
    await lifecycle.deleteAccount(this.ctx, did)
    this.ctx.manager.onCredentialsRevoked?.(did)
  }

  deactivateAccount(did: string, deleteAfter: string | null) {
    lifecycle.deactivateAccount(this.ctx, did, deleteAfter)
    this.ctx.manager.onCredentialsRevoked?.(did)
  }

  activateAccount(did: string) {
    lifecycle.activateAccount(this.ctx, did)
  }

  setTakedown(did: string, takedownRef: string | null) {
    lifecycle.setTakedown(this.ctx, did, takedownRef)
    if (takedownRef) this.ctx.manager.onCredentialsRevoked?.(did)
  }

  updateHandle(did: string, handle: string, opts?: { allowReserved?: boolean }) {
    return lifecycle.updateHandle(this.ctx, did, handle, opts)
  }

  /** The DID document returned with sessions (null when it cannot be resolved right now). */
  async didDocFor(did: string): Promise<DidDocument | null> {
    return this.ctx.didResolver.resolve(did).catch(() => null)
  }

  async resolveHandle(handle: string): Promise<string | null> {
    const local = this.getAccount(handle)
    if (local) return local.did
    return this.ctx.resolveHandleRemote(handle)
  }

  /** The atproto data (handle, key, pds) of a DID, or null when unresolvable. */
  async atprotoDataFor(did: string) {
    const doc = await this.ctx.didResolver.resolve(did, true).catch(() => null)
    return doc ? atprotoData(doc) : null
  }

  // Email tokens (src/services/accounts/email-flows.ts)
  sendEmailToken = (did: string, purpose: Parameters<typeof email.sendEmailToken>[2], to?: string) => email.sendEmailToken(this.ctx, did, purpose, to)
  assertValidEmailToken = (did: string, purpose: Parameters<typeof email.assertValidToken>[2], token: string) => email.assertValidToken(this.ctx, did, purpose, token)
  requestEmailConfirmation = (did: string) => email.requestEmailConfirmation(this.ctx, did)
  confirmEmail = (did: string, address: string, token: string) => email.confirmEmail(this.ctx, did, address, token)
  requestEmailUpdate = (did: string) => email.requestEmailUpdate(this.ctx, did)
  /** `emailAuthFactor` (the lexicon's field) turns sign-in codes by email on or off in the same call. */
  updateEmail = async (did: string, address: string, token?: string, emailAuthFactor?: boolean) => {
    if (emailAuthFactor) this.factors.assertEmailFactorAllowed(did, address)
    email.updateEmail(this.ctx, did, address, token)
    if (emailAuthFactor !== undefined) await this.factors.setEmailAuthFactor(did, emailAuthFactor)
  }
  requestPasswordReset = (address: string) => email.requestPasswordReset(this.ctx, address)
  resetPassword = (token: string, password: string) => email.resetPassword(this.ctx, token, password)
  requestAccountDelete = (did: string) => email.requestAccountDelete(this.ctx, did)
  deleteAccountWithToken = (did: string, password: string, token: string) => email.deleteAccountWithToken(this.ctx, did, password, token)

  // Identity changes (src/services/accounts/plc-flows.ts)
  recommendedDidCredentials = (did: string) => plc.recommendedDidCredentials(this.ctx, did)
  requestPlcOperationSignature = (did: string) => email.sendEmailToken(this.ctx, did, 'plc_operation')
  signPlcOperation = (did: string, token: string | undefined, fields: plc.PlcOpFields) => plc.signPlcOperation(this.ctx, did, token, fields)
  submitPlcOperation = (did: string, op: unknown) => plc.submitPlcOperation(this.ctx, did, op)
  addDidDocEntries = (did: string, add: Parameters<typeof plc.addDidDocEntries>[2]) => plc.addDidDocEntries(this.ctx, did, add)
  isValidDidDocForService = (did: string) => plc.isValidDidDocForService(this.ctx, did)
  assertValidDidDocForService = (did: string) => plc.assertValidDidDocForService(this.ctx, did)

  // App passwords
  private permissionSets?: PermissionSetSource

  /**
   * `scope`: a preset (full, read-only, post-only, chat) or an OAuth scope string (custom); a scoped
   * password's tokens are checked like OAuth tokens. Without it: the old privileged/non-privileged kind.
   */
  async createAppPassword(did: string, name: string, opts: { privileged?: boolean; scope?: unknown } = {}) {
    if (opts.scope !== undefined && typeof opts.scope !== 'string') throw invalidInput('scope must be a string', 'InvalidScope')
    // Built at the first scoped password only; the bundled lexicons hold the permission sets.
    this.permissionSets ??= permissionSetsFrom(new Lexicons(lexiconSources, { lazy: true }))
    const scope = resolveAppPasswordScope(opts.scope, this.permissionSets)
    if (scope && opts.privileged) throw invalidInput('A scoped app password is not also privileged: its scope decides what it may do', 'InvalidScope')
    const created = await this.ctx.manager.createAppPassword(did, name, opts.privileged ?? false, scope)
    void this.factors.notify(did, 'app-password-added', `Its name: ${name}.`)
    return created
  }

  /** The account password only (an app password is refused): for the account web app's sign-in. */
  async signInWithPassword(identifier: string, password: string): Promise<AccountView | null> {
    try {
      const { account, appPassword } = await this.ctx.manager.login(identifier, password)
      return appPassword ? null : account
    } catch {
      return null
    }
  }

  /** The account a sign-in form names (handle, DID or email), whatever its state. */
  findAccount(identifier: string): AccountView | null {
    const id = identifier.toLowerCase()
    const flags = { includeDeactivated: true, includeTakenDown: true }
    return id.includes('@') ? this.getAccountByEmail(id, flags) : this.getAccount(id, flags)
  }

  /** False for a passkey-only account. */
  hasPassword(did: string): boolean {
    return this.ctx.manager.hasPassword(did)
  }

  /** Whether `password` is the account password (not an app password). */
  verifyPassword(did: string, password: string): Promise<boolean> {
    return this.ctx.manager.verifyAccountPassword(did, password)
  }

  /** Password (createSession) sessions: the current refresh token of each, newest first. */
  listPasswordSessions(did: string) {
    return creds.listCurrentRefreshTokens(this.ctx.manager.db, did, new Date().toISOString()).map((t) => ({
      id: t.id,
      appPasswordName: t.appPasswordName,
      expiresAt: t.expiresAt,
      userAgent: t.userAgent,
      ipAddress: t.ipAddress,
      createdAt: t.createdAt,
      lastUsedAt: t.lastUsedAt,
    }))
  }

  /** Ends one password session of `did` (its refresh token); false when it is not the account's. */
  revokePasswordSession(did: string, id: string): boolean {
    const token = creds.getRefreshToken(this.ctx.manager.db, id)
    return !!token && token.did === did && this.ctx.manager.revokeRefreshToken(id)
  }

  /** Every password session of the account (refresh tokens). */
  revokeAllPasswordSessions(did: string) {
    creds.deleteRefreshTokensByDid(this.ctx.manager.db, did)
  }

  /** Whether a new account could take `handle` (one of the server's domains, valid, not reserved, free). */
  async handleAvailability(input: string): Promise<{ handle: string; available: boolean; reason?: string }> {
    try {
      const handle = await normalizeAndValidateHandle(input, { domains: this.ctx.config.identity.serviceHandleDomains, resolve: async () => null })
      const taken = !!this.getAccount(handle, { includeDeactivated: true, includeTakenDown: true })
      return taken ? { handle, available: false, reason: 'That handle is taken.' } : { handle, available: true }
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'invalid-input') return { handle: input, available: false, reason: err.message }
      throw err
    }
  }

  /** Where a handle off this server's domains points now (DNS TXT, then the HTTPS well-known file). */
  /** The did.json of the hosted did:web named by a request's host, or null. */
  hostedDidWebDocument(host: string) {
    return didWeb.hostedDidWebDocument(this.ctx, host)
  }

  /** For a did:web account: the exact document its domain must publish for it to be served here. */
  didWebDocumentToPublish(did: string) {
    return did.startsWith('did:web:') ? didWeb.publishableDidWebDocument(this.ctx, did) : null
  }

  isHostedDidWeb(did: string): boolean {
    return didWeb.isHostedDidWeb(did, this.ctx.config.identity.serviceHandleDomains)
  }

  resolveHandleRemote(handle: string): Promise<string | null> {
    return this.ctx.resolveHandleRemote(handle)
  }

  // Invites
  createInviteCodes(forAccounts: string[], codeCount: number, useCount: number) {
    return invites.createInviteCodes(this.ctx.manager.db, this.ctx.config.service.hostname, { forAccounts, codeCount, useCount })
  }

  getAccountInviteCodes(did: string) {
    return invites.viewInviteCodes(this.ctx.manager.db, inviteRows.listInviteCodesFor(this.ctx.manager.db, did))
  }

  /** Every invite code, a page at a time (com.atproto.admin.getInviteCodes): `sort` recent (default) or usage. */
  listInviteCodes(cursor: string | undefined, limit: number, sort = 'recent') {
    return invites.listInviteCodesPage(this.ctx.manager.db, sort, cursor, limit)
  }

  disableInviteCodes(codes: string[], accounts: string[]) {
    inviteRows.disableInviteCodes(this.ctx.manager.db, codes, accounts)
  }

  invitedBy(did: string) {
    const row = inviteRows.invitedBy(this.ctx.manager.db, did)
    return row ? invites.viewInviteCodes(this.ctx.manager.db, [row])[0] : undefined
  }
}
