// Small pieces the account handlers share: session bodies, account checks, rate-limit rules.
import { callerDid, type AuthResult } from '../../xrpc/auth.ts'
import type { RateLimitedCall, RateLimitRule } from '../../xrpc/rate-limit.ts'
import type { Services } from '../../xrpc/services.ts'
import { AuthScope } from '../../services/auth/scopes.ts'
import { invalidInput } from '../../services/errors.ts'
import { AuthRequiredError, ForbiddenError } from '../../xrpc/errors.ts'
import type { AccountService } from '../../services/accounts/account-service.ts'
import type { AccountView } from '../../services/accounts/account-manager.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** The session body of createSession/getSession/refreshSession. */
export async function sessionBody(accounts: AccountService, account: AccountView, tokens?: { accessJwt: string; refreshJwt: string }) {
  const didDoc = accounts.ctx.config.identity.enableDidDocWithSession ? await accounts.didDocFor(account.did) : null
  return {
    ...tokens,
    handle: account.handle ?? 'handle.invalid',
    did: account.did,
    ...(didDoc ? { didDoc } : {}),
    email: account.email ?? undefined,
    emailConfirmed: !!account.emailConfirmedAt,
    emailAuthFactor: accounts.factors.emailAuthFactor(account.did),
    active: account.active,
    status: account.status,
  }
}

export function requireAccount(accounts: AccountService, did: string): AccountView {
  const account = accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
  if (!account) throw invalidInput(`Could not find user info for account: ${did}`, 'AccountNotFound')
  return account
}

/** The reference's per-method limits (by IP unless keyed otherwise). */
export const RATE = {
  createAccount: [{ name: 'createAccount', durationMs: 5 * MINUTE, points: 100 }],
  deleteAccount: [{ name: 'deleteAccount', durationMs: 5 * MINUTE, points: 50 }],
  resetPassword: [{ name: 'resetPassword', durationMs: 5 * MINUTE, points: 50 }],
  requestPasswordReset: [
    { name: 'requestPasswordReset-day', durationMs: DAY, points: 50 },
    { name: 'requestPasswordReset-hour', durationMs: HOUR, points: 15 },
  ],
  emailRequest: (name: string): RateLimitRule[] => [
    { name: `${name}-day`, durationMs: DAY, points: 15, calcKey: (ctx) => didKey(ctx.auth) },
    { name: `${name}-hour`, durationMs: HOUR, points: 5, calcKey: (ctx) => didKey(ctx.auth) },
  ],
  updateHandle: [
    { name: 'updateHandle-5m', durationMs: 5 * MINUTE, points: 10, calcKey: (ctx) => didKey(ctx.auth) },
    { name: 'updateHandle-day', durationMs: DAY, points: 50, calcKey: (ctx) => didKey(ctx.auth) },
  ],
  // Keyed by identifier + IP: the dispatcher applies limits after reading the input, as the reference.
  createSession: [
    { name: 'createSession-day', durationMs: DAY, points: 300, calcKey: (ctx) => identifierKey(ctx) },
    { name: 'createSession-5m', durationMs: 5 * MINUTE, points: 30, calcKey: (ctx) => identifierKey(ctx) },
  ],
  createAppPassword: [{ name: 'createAppPassword', durationMs: DAY, points: 25, calcKey: (ctx) => didKey(ctx.auth) }],
} satisfies Record<string, RateLimitRule[] | ((n: string) => RateLimitRule[])>

function didKey(auth: AuthResult): string | null {
  return 'did' in auth ? auth.did : null
}

function identifierKey(ctx: RateLimitedCall): string {
  const identifier = (ctx.input as { identifier?: unknown } | undefined)?.identifier
  return `${typeof identifier === 'string' ? identifier : ''}-${ctx.ip}`
}

/** Full-access sessions only (no app passwords), taken-down accounts allowed: the reference's ACCESS_FULL + Takendown. */
export function requireFullAccess(auth: AuthResult): string {
  // OAuth callers got here through their method permissions (src/services/oauth/method-policy.ts).
  if (auth.type === 'access' && 'permissions' in auth) return auth.did
  if (auth.type !== 'access' || (auth.scope !== AuthScope.Access && auth.scope !== AuthScope.Takendown)) {
    throw invalidInput('Bad token scope', 'InvalidToken')
  }
  return auth.did
}

/** Ends the account's OAuth sessions too, when the OAuth provider is wired. */
export function revokeOAuthSessions(services: Services, did: string) {
  const oauth = (services as { oauth?: { revokeAllOAuthSessions?(did: string): unknown } }).oauth
  oauth?.revokeAllOAuthSessions?.(did)
}

/**
 * The caller of a method the reference guards with checkTakedown only (deactivated accounts may call it);
 * `full` also refuses app passwords (ACCESS_FULL). Use with auth: 'accessDeactivated'.
 */
export function callerNotTakendown(accounts: AccountService, auth: AuthResult, opts: { full?: boolean } = {}): string {
  const did = opts.full ? requireFullAccess(auth) : callerDid(auth)
  // A deleted account's leftover token: the reference's status check answers 403 AccountNotFound.
  const account = accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
  if (!account) throw ForbiddenError('Account not found', 'AccountNotFound')
  if (account.takedownRef) throw AuthRequiredError('Account has been taken down', 'AccountTakedown')
  return did
}
