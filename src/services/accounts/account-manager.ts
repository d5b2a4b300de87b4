// Accounts, sessions and passwords over account.sqlite. The flows that also touch the repo, PLC or
// mail (create, delete, handle, email) live beside it and use this as their store.
import type { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import * as jose from 'jose'
import { CID, parseCid } from '../../core/cbor.ts'
import * as actors from '../../storage/account/actors.ts'
import * as creds from '../../storage/account/credentials.ts'
import { deferSync } from '../../storage/wal-sync.ts'
import { deleteEmailToken } from '../../storage/account/email-tokens.ts'
import type { AccountStatus } from '../events.ts'
import { authRequired, invalidInput } from '../errors.ts'
import * as scrypt from '../auth/scrypt.ts'
import { scopeForAppPassword } from '../auth/scopes.ts'
import { createAccessToken, createRefreshToken, jwtKey, newRefreshTokenId, type TokenKey } from '../auth/tokens.ts'

export type AccountView = {
  did: string
  handle: string | null
  email: string | null
  emailConfirmedAt: string | null
  createdAt: string
  deactivatedAt: string | null
  deleteAfter: string | null
  takedownRef: string | null
  invitesDisabled: boolean
  active: boolean
  status?: AccountStatus
}

/** scope: set for scoped app passwords (src/services/oauth/app-password-scopes.ts). */
export type AppPassDescript = { name: string; privileged: boolean; scope?: string | null }
export type SessionTokens = { accessJwt: string; refreshJwt: string }
/** Where a password session is used from, as the edge saw the request (both may be unknown). */
export type SessionDevice = { ip: string | null; userAgent: string | null }

/** Longer user agents are cut: the Sessions view needs the product names, not a whole header. */
const USER_AGENT_MAX = 300

/**
 * The stored password of a passkey-only account: no password matches it (not a `salt:hash`). The
 * column stays NOT NULL as in the reference's schema, so the data directory keeps its shape.
 */
export const NO_PASSWORD = 'passkey-only'

const REFRESH_GRACE_MS = 2 * 60 * 60 * 1000
const LOGIN_MIN_MS = 350

export function formatAccountStatus(row: { takedownRef: string | null; deactivatedAt: string | null } | null): {
  active: boolean
  status?: AccountStatus
} {
  if (!row) return { active: false, status: 'deleted' }
  if (row.takedownRef) return { active: false, status: 'takendown' }
  if (row.deactivatedAt) return { active: false, status: 'deactivated' }
  return { active: true }
}

export function toView(row: actors.AccountRow): AccountView {
  return {
    did: row.did,
    handle: row.handle,
    email: row.email,
    emailConfirmedAt: row.emailConfirmedAt,
    createdAt: row.createdAt,
    deactivatedAt: row.deactivatedAt,
    deleteAfter: row.deleteAfter,
    takedownRef: row.takedownRef,
    invitesDisabled: row.invitesDisabled === 1,
    ...formatAccountStatus(row),
  }
}

export class AccountManager {
  readonly key: TokenKey
  /** Told when an account's credentials must stop working everywhere (the OAuth provider ends its sessions). */
  onCredentialsRevoked?: (did: string) => void
  /** Told when a rotated-out refresh token came back after its grace window and its family was ended. */
  onRefreshTokenReuse?: (did: string, revoked: number) => void
  /** Told of each password sign-in's outcome (the login metrics). */
  onLogin?: (outcome: 'success' | 'failure') => void
  /** The clock of refresh-token rotation (tests move it past the grace window). */
  now: () => number = Date.now
  /** Head copies waiting for the end of this turn of the event loop (updateRepoRoot). */
  private readonly pendingRoots = new Map<string, { cid: string; rev: string }>()

  constructor(
    readonly db: Database,
    readonly serviceDid: string,
    jwtSecret: string,
  ) {
    this.key = jwtKey(jwtSecret)
  }

  getAccount(handleOrDid: string, flags?: actors.AvailabilityFlags): AccountView | null {
    const row = actors.getAccountRow(this.db, handleOrDid, flags)
    return row ? toView(row) : null
  }

  /** The account's takedown and deactivation, whatever they are; null when there is no account. */
  getAccountStatus(did: string): actors.AccountStatusRow | null {
    return actors.getAccountStatusRow(this.db, did)
  }

  getAccountByEmail(email: string, flags?: actors.AvailabilityFlags): AccountView | null {
    const row = actors.getAccountRowByEmail(this.db, email, flags)
    return row ? toView(row) : null
  }

  listAccounts(cursor: string | undefined, limit: number): { accounts: AccountView[]; cursor?: string } {
    const rows = actors.listAccountRows(this.db, cursor, limit)
    const last = rows.at(-1)
    return { accounts: rows.map(toView), cursor: rows.length === limit && last ? `${last.createdAt}::${last.did}` : undefined }
  }

  /**
   * After each repo commit: account.sqlite's copy of the head. The copies of one turn of the event
   * loop (several accounts writing) are written together at its end, in one transaction without a
   * sync of its own (the next synced commit or checkpoint carries it). It is a copy: after a crash
   * start-up recovery reads the heads from their actor stores and repairs it (sequencer/recovery.ts).
   */
  updateRepoRoot(did: string, cid: CID | string, rev: string): void {
    if (this.pendingRoots.size === 0) setImmediate(() => this.writeRepoRoots())
    this.pendingRoots.set(did, { cid: cid.toString(), rev })
  }

  /** Writes the head copies not yet written (before reads of repo_root and at shutdown). */
  writeRepoRoots(): void {
    if (this.pendingRoots.size === 0) return
    const roots = [...this.pendingRoots]
    this.pendingRoots.clear()
    deferSync(this.db, () => this.db.transaction(() => roots.forEach(([did, root]) => actors.upsertRepoRoot(this.db, did, root.cid, root.rev)))())
  }

  /** The account is being deleted: a head copy still waiting must not bring its repo_root row back. */
  forgetRepoRoot(did: string): void {
    this.pendingRoots.delete(did)
  }

  getRepoRoot(did: string): { cid: CID; rev: string } | null {
    const root = this.pendingRoots.get(did) ?? actors.getRepoRoot(this.db, did)
    return root ? { cid: parseCid(root.cid), rev: root.rev } : null
  }

  // Sessions
  // ----------

  /** Signs a token pair; the refresh token row is written by `storeRefresh` (inside the caller's transaction). */
  async createTokens(did: string, appPassword: AppPassDescript | null, jti = newRefreshTokenId(), family?: string, device?: creds.RefreshTokenDevice) {
    const [accessJwt, refreshJwt] = await Promise.all([
      createAccessToken(this.key, { did, serviceDid: this.serviceDid, scope: scopeForAppPassword(appPassword), appPassScope: appPassword?.scope }),
      createRefreshToken(this.key, { did, serviceDid: this.serviceDid, jti }),
    ])
    const exp = jose.decodeJwt(refreshJwt).exp!
    const storeRefresh = () =>
      creds.insertRefreshToken(this.db, { id: jti, did, expiresAt: new Date(exp * 1000).toISOString(), appPasswordName: appPassword?.name ?? null, family, device })
    return { accessJwt, refreshJwt, storeRefresh }
  }

  async createSession(did: string, appPassword: AppPassDescript | null, device?: SessionDevice): Promise<SessionTokens> {
    const at = new Date(this.now()).toISOString()
    const { accessJwt, refreshJwt, storeRefresh } = await this.createTokens(did, appPassword, undefined, undefined, device && deviceRow(device, at, at))
    storeRefresh()
    return { accessJwt, refreshJwt }
  }

  /**
   * Rotation with the reference's 2-hour grace: a reused token within it yields the same next id. After
   * the grace window a rotated-out token is a copy someone kept: the whole family (every token rotated
   * from the same login) is revoked, so the thief's and the owner's sessions both end.
   */
  async rotateRefreshToken(id: string, device?: SessionDevice): Promise<SessionTokens | null> {
    const now = new Date(this.now())
    const token = creds.getRefreshToken(this.db, id)
    if (token) creds.deleteExpiredRefreshTokens(this.db, token.did, now.toISOString())
    if (!token || new Date(token.expiresAt) <= now) {
      const spent = creds.getSpentRefreshToken(this.db, id, now.toISOString())
      if (spent) {
        const revoked = creds.deleteRefreshTokenFamily(this.db, spent.family)
        this.onRefreshTokenReuse?.(spent.did, revoked)
      }
      return null
    }
    const prevExpiresAt = new Date(token.expiresAt)
    const graceExpiresAt = new Date(now.getTime() + REFRESH_GRACE_MS)
    const expiresAt = graceExpiresAt < prevExpiresAt ? graceExpiresAt : prevExpiresAt
    if (expiresAt <= now) return null
    const nextId = token.nextId ?? newRefreshTokenId()
    const appPassword = token.appPasswordName ? creds.getAppPassword(this.db, token.did, token.appPasswordName) : null
    if (token.appPasswordName && !appPassword) return null
    const descript = appPassword ? { name: appPassword.name, privileged: appPassword.privileged === 1, scope: appPassword.scope } : null
    const family = token.family ?? token.id
    // The session keeps its start time; where it was refreshed from replaces where it began.
    const used = device ?? { ip: token.ipAddress, userAgent: token.userAgent }
    const createdAt = token.createdAt ?? now.toISOString()
    const { accessJwt, refreshJwt, storeRefresh } = await this.createTokens(token.did, descript, nextId, family, deviceRow(used, createdAt, now.toISOString()))
    this.db.transaction(() => {
      creds.setRefreshGrace(this.db, id, expiresAt.toISOString(), nextId)
      creds.markRefreshTokenSpent(this.db, { id, did: token.did, family, expiresAt: token.expiresAt })
      creds.deleteExpiredSpentRefreshTokens(this.db, token.did, now.toISOString())
      storeRefresh()
    })()
    return { accessJwt, refreshJwt }
  }

  revokeRefreshToken(id: string): boolean {
    return creds.deleteRefreshToken(this.db, id)
  }

  refreshTokenExists(id: string): boolean {
    return creds.getRefreshToken(this.db, id) !== null
  }

  /** Handle, DID or email + account or app password. Takes at least 350 ms so timing reveals nothing. */
  async login(identifier: string, password: string): Promise<{ account: AccountView; appPassword: AppPassDescript | null }> {
    const start = Date.now()
    let outcome: 'success' | 'failure' = 'failure'
    try {
      const id = identifier.toLowerCase()
      const flags = { includeDeactivated: true, includeTakenDown: true }
      const account = id.includes('@') ? this.getAccountByEmail(id, flags) : this.getAccount(id, flags)
      if (!account) throw authRequired('Invalid identifier or password')
      if (await this.verifyAccountPassword(account.did, password)) {
        outcome = 'success'
        return { account, appPassword: null }
      }
      // Taken-down accounts cannot log in with app passwords.
      const appPassword = account.takedownRef ? null : await this.verifyAppPassword(account.did, password)
      if (!appPassword && !this.hasPassword(account.did)) {
        throw authRequired('This account has no password: sign in with its passkey (on the web, or in apps that sign in through this server), or use an app password.')
      }
      if (!appPassword) throw authRequired('Invalid identifier or password')
      outcome = 'success'
      return { account, appPassword }
    } finally {
      this.onLogin?.(outcome)
      const wait = LOGIN_MIN_MS - (Date.now() - start)
      if (wait > 0) await Bun.sleep(wait)
    }
  }

  // Passwords
  // ----------

  async verifyAccountPassword(did: string, password: string): Promise<boolean> {
    if (password.length > scrypt.OLD_PASSWORD_MAX_LENGTH) return false
    const stored = creds.getPasswordScrypt(this.db, did)
    return stored && stored !== NO_PASSWORD ? scrypt.verifyPassword(password, stored) : false
  }

  /** False for a passkey-only account (created or converted without a password). */
  hasPassword(did: string): boolean {
    const stored = creds.getPasswordScrypt(this.db, did)
    return !!stored && stored !== NO_PASSWORD
  }

  async verifyAppPassword(did: string, password: string): Promise<AppPassDescript | null> {
    const found = creds.findAppPassword(this.db, did, await scrypt.hashAppPassword(did, password))
    return found ? { name: found.name, privileged: found.privileged === 1, scope: found.scope } : null
  }

  /** Sets a new password and ends every session (as the reference's updateAccountPassword). */
  async updateAccountPassword(did: string, password: string) {
    if (password.length > scrypt.NEW_PASSWORD_MAX_LENGTH) {
      throw invalidInput(`Password too long. Maximum length is ${scrypt.NEW_PASSWORD_MAX_LENGTH} characters.`)
    }
    const hash = await scrypt.genSaltAndHash(password)
    this.db.transaction(() => {
      creds.setPasswordScrypt(this.db, did, hash)
      deleteEmailToken(this.db, 'reset_password', did)
      creds.deleteRefreshTokensByDid(this.db, did)
    })()
    this.onCredentialsRevoked?.(did)
  }

  /**
   * A moderator's revocation (Ozone's revokeAccountCredentialsEvent, com.atproto.temp.revokeAccountCredentials):
   * the password becomes one nobody knows (a password reset gives access back), app passwords and every
   * session end. A passkey-only account keeps having no password.
   */
  async revokeAccountCredentials(did: string) {
    const hash = await scrypt.genSaltAndHash(randomBytes(32).toString('base64url'))
    this.db.transaction(() => {
      if (creds.getPasswordScrypt(this.db, did) !== NO_PASSWORD) creds.setPasswordScrypt(this.db, did, hash)
      for (const app of creds.listAppPasswords(this.db, did)) creds.deleteAppPassword(this.db, did, app.name)
      creds.deleteRefreshTokensByDid(this.db, did)
    })()
    this.onCredentialsRevoked?.(did)
  }

  /**
   * Passkeys only from now on: the password stops working and the sessions it started end (app
   * passwords and their sessions stay, for apps that cannot sign in with a passkey).
   */
  removePassword(did: string) {
    this.db.transaction(() => {
      creds.setPasswordScrypt(this.db, did, NO_PASSWORD)
      deleteEmailToken(this.db, 'reset_password', did)
      creds.deletePasswordRefreshTokens(this.db, did)
    })()
  }

  /** `scope` (already resolved) makes a scoped app password; its tokens are checked like OAuth tokens. */
  async createAppPassword(did: string, name: string, privileged: boolean, scope: string | null = null) {
    if (creds.getAppPassword(this.db, did, name)) {
      throw invalidInput('App password name already exists', 'DuplicateName')
    }
    // Format xxxx-xxxx-xxxx-xxxx in lower-case base32 characters, as the reference.
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
    const raw = Array.from(randomBytes(16), (b) => alphabet[b & 31]).join('')
    const password = [raw.slice(0, 4), raw.slice(4, 8), raw.slice(8, 12), raw.slice(12, 16)].join('-')
    const createdAt = new Date().toISOString()
    creds.insertAppPassword(this.db, { did, name, passwordScrypt: await scrypt.hashAppPassword(did, password), createdAt, privileged, scope })
    return { name, password, createdAt, privileged, ...(scope && { scope }) }
  }

  listAppPasswords(did: string) {
    return creds.listAppPasswords(this.db, did).map((r) => ({ name: r.name, createdAt: r.createdAt, privileged: r.privileged === 1, ...(r.scope && { scope: r.scope }) }))
  }

  revokeAppPassword(did: string, name: string) {
    this.db.transaction(() => creds.deleteAppPassword(this.db, did, name))()
  }
}

export function deviceRow(device: SessionDevice, createdAt: string, lastUsedAt: string): creds.RefreshTokenDevice {
  return { userAgent: device.userAgent?.slice(0, USER_AGENT_MAX) ?? null, ipAddress: device.ip, createdAt, lastUsedAt }
}
