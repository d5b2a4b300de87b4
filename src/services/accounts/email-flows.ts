// Email-token flows: tokens of two five-character groups (base32, upper case, e.g. ABCDE-23456),
// 15 minutes, single use, one per purpose.
// The request/confirm pairs follow the reference's account-manager (confirm, update, reset, delete, PLC).
import * as emailTokens from '../../storage/account/email-tokens.ts'
import type { EmailTokenPurpose } from '../../storage/account/email-tokens.ts'
import * as actors from '../../storage/account/actors.ts'
import { authRequired, invalidInput } from '../errors.ts'
import { genCode } from '../notify/code.ts'
import type { NotificationKind } from '../notify/templates.ts'
import { NEW_PASSWORD_MAX_LENGTH, OLD_PASSWORD_MAX_LENGTH } from '../auth/scrypt.ts'
import { isValidEmail } from './create-account.ts'
import { deleteAccount } from './lifecycle.ts'
import type { AccountsContext } from './context.ts'

export const EMAIL_TOKEN_TTL_MS = 15 * 60 * 1000

const ANY_STATE = { includeDeactivated: true, includeTakenDown: true }

export const genEmailToken = genCode

/** Each token purpose is a notification kind of the same name (src/services/notify/templates.ts). */
// Sign-in codes (purpose sign_in) are sent by src/services/factors.
const KIND: Record<Exclude<EmailTokenPurpose, 'sign_in'>, NotificationKind> = {
  confirm_email: 'confirm_email',
  update_email: 'update_email',
  reset_password: 'reset_password',
  delete_account: 'delete_account',
  plc_operation: 'plc_operation',
}

function accountWithEmail(ctx: AccountsContext, did: string) {
  const account = ctx.manager.getAccount(did, ANY_STATE)
  if (!account) throw invalidInput('account not found')
  if (!account.email) throw invalidInput('account does not have an email address')
  return account as typeof account & { email: string }
}

/**
 * Creates (replacing) the token for `purpose` and queues its message in the same transaction, so an
 * answered request never loses it: to `to` (the account's email by default) for the email-bound kinds,
 * else to the person's preferred channel (src/services/notify). The first delivery attempt is awaited
 * for a bounded time; the queue's worker retries after that.
 */
export async function sendEmailToken(ctx: AccountsContext, did: string, purpose: Exclude<EmailTokenPurpose, 'sign_in'>, to?: string) {
  const account = accountWithEmail(ctx, did)
  const token = genEmailToken()
  const notification = ctx.notify.forAccount(did, KIND[purpose], { code: token, handle: account.handle ?? account.email }, to ?? account.email)
  const id = ctx.manager.db.transaction(() => {
    emailTokens.upsertEmailToken(ctx.manager.db, purpose, did, token, new Date().toISOString())
    return ctx.notify.enqueue(notification)
  })()
  await ctx.notify.dispatch(id)
}

function expired(requestedAt: string): boolean {
  return Date.now() - new Date(requestedAt).getTime() > EMAIL_TOKEN_TTL_MS
}

/** Checks the token for (did, purpose) without consuming it. */
export function assertValidToken(ctx: AccountsContext, did: string, purpose: EmailTokenPurpose, token: string) {
  const found = emailTokens.getEmailToken(ctx.manager.db, purpose, did)
  if (!found || found.token !== token.trim().toUpperCase()) throw invalidInput('Token is invalid', 'InvalidToken')
  if (expired(found.requestedAt)) throw invalidInput('Token is expired', 'ExpiredToken')
}

export function consumeToken(ctx: AccountsContext, did: string, purpose: EmailTokenPurpose, token: string) {
  assertValidToken(ctx, did, purpose, token)
  emailTokens.deleteEmailToken(ctx.manager.db, purpose, did)
}

/** For resetPassword, which has only the token: finds its account. */
export function findTokenDid(ctx: AccountsContext, purpose: EmailTokenPurpose, token: string): string {
  const found = emailTokens.findEmailToken(ctx.manager.db, purpose, token.trim().toUpperCase())
  if (!found) throw invalidInput('Token is invalid', 'InvalidToken')
  if (expired(found.requestedAt)) throw invalidInput('Token is expired', 'ExpiredToken')
  return found.did
}

// Confirmation
// ------------

export async function requestEmailConfirmation(ctx: AccountsContext, did: string) {
  await sendEmailToken(ctx, did, 'confirm_email')
}

export function confirmEmail(ctx: AccountsContext, did: string, email: string, token: string) {
  const account = ctx.manager.getAccount(did, ANY_STATE)
  if (!account) throw invalidInput('user not found', 'AccountNotFound')
  if (account.email !== email.toLowerCase()) throw invalidInput('invalid email', 'InvalidEmail')
  assertValidToken(ctx, did, 'confirm_email', token)
  ctx.manager.db.transaction(() => {
    emailTokens.deleteEmailToken(ctx.manager.db, 'confirm_email', did)
    actors.setEmailConfirmedAt(ctx.manager.db, did, new Date().toISOString())
  })()
}

// Change of address
// -----------------

/** A token is needed (and mailed to the current address) only once that address is confirmed. */
export async function requestEmailUpdate(ctx: AccountsContext, did: string): Promise<{ tokenRequired: boolean }> {
  const account = accountWithEmail(ctx, did)
  const tokenRequired = !!account.emailConfirmedAt
  if (tokenRequired) await sendEmailToken(ctx, did, 'update_email')
  return { tokenRequired }
}

/** Sets a new (unconfirmed) address; every pending email token of the account is dropped. */
export function updateEmail(ctx: AccountsContext, did: string, email: string, token?: string) {
  if (!isValidEmail(email)) throw invalidInput('This email address is not supported, please use a different email.')
  const account = ctx.manager.getAccount(did, ANY_STATE)
  if (!account) throw invalidInput('account not found')
  if (account.emailConfirmedAt && !token) throw invalidInput('confirmation token required', 'TokenRequired')
  if (token) assertValidToken(ctx, did, 'update_email', token)
  const other = ctx.manager.getAccountByEmail(email, ANY_STATE)
  if (other && other.did !== did) throw invalidInput('This email address is already in use, please use a different one.')
  // The same address again keeps its confirmation: that is how clients turn emailAuthFactor on or off.
  const unchanged = account.email === email.toLowerCase()
  ctx.manager.db.transaction(() => {
    if (!unchanged) actors.updateEmail(ctx.manager.db, did, email)
    emailTokens.deleteAllEmailTokens(ctx.manager.db, did)
  })()
}

// Password reset
// --------------

export async function requestPasswordReset(ctx: AccountsContext, email: string) {
  const account = ctx.manager.getAccountByEmail(email.toLowerCase(), ANY_STATE)
  if (!account?.email) throw invalidInput('account does not have an email address')
  await sendEmailToken(ctx, account.did, 'reset_password')
}

/** Sets the new password and ends every session (refresh tokens); returns the account's DID. */
export async function resetPassword(ctx: AccountsContext, token: string, password: string): Promise<string> {
  if (password.length > NEW_PASSWORD_MAX_LENGTH) throw invalidInput('Invalid password length.')
  const did = findTokenDid(ctx, 'reset_password', token)
  await ctx.manager.updateAccountPassword(did, password)
  return did
}

// Account deletion by its owner
// -----------------------------

export async function requestAccountDelete(ctx: AccountsContext, did: string) {
  await sendEmailToken(ctx, did, 'delete_account')
}

/** Password + emailed token; then every trace goes and the firehose hears 'deleted'. */
export async function deleteAccountWithToken(ctx: AccountsContext, did: string, password: string, token: string) {
  if (password.length > OLD_PASSWORD_MAX_LENGTH) throw authRequired('Password too long. Consider resetting your password.')
  if (!ctx.manager.getAccount(did, ANY_STATE)) throw invalidInput('account not found')
  if (!(await ctx.manager.verifyAccountPassword(did, password))) throw authRequired('Invalid did or password')
  assertValidToken(ctx, did, 'delete_account', token)
  await deleteAccount(ctx, did)
}
