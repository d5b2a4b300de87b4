// Email-token flows: XXXXX-XXXXX tokens (base32, upper case), 15 minutes, single use, one per purpose.
import { randomBytes } from 'node:crypto'
import * as emailTokens from '../../storage/account/email-tokens.ts'
import type { EmailTokenPurpose } from '../../storage/account/email-tokens.ts'
import * as actors from '../../storage/account/actors.ts'
import { InvalidRequestError } from '../../xrpc/errors.ts'
import { renderMail, type MailTemplate } from '../mail/mailer.ts'
import type { AccountsContext } from './context.ts'

export const EMAIL_TOKEN_TTL_MS = 15 * 60 * 1000

export function genEmailToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const chars = Array.from(randomBytes(10), (b) => alphabet[b & 31]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}

const TEMPLATE: Record<EmailTokenPurpose, MailTemplate> = {
  confirm_email: 'confirmEmail',
  update_email: 'updateEmail',
  reset_password: 'resetPassword',
  delete_account: 'deleteAccount',
  plc_operation: 'plcOperation',
}

/** Creates (replacing) the token for `purpose` and mails it to `to` (the account's email by default). */
export async function sendEmailToken(ctx: AccountsContext, did: string, purpose: EmailTokenPurpose, to?: string) {
  const account = ctx.manager.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
  if (!account?.email) throw InvalidRequestError('account does not have an email address')
  const token = genEmailToken()
  emailTokens.upsertEmailToken(ctx.manager.db, purpose, did, token, new Date().toISOString())
  const { subject, text } = renderMail(TEMPLATE[purpose], token, account.handle ?? '')
  await ctx.mailer.send({ to: to ?? account.email, subject, text })
}

function expired(requestedAt: string): boolean {
  return Date.now() - new Date(requestedAt).getTime() > EMAIL_TOKEN_TTL_MS
}

/** Checks the token for (did, purpose) without consuming it. */
export function assertValidToken(ctx: AccountsContext, did: string, purpose: EmailTokenPurpose, token: string) {
  const found = emailTokens.getEmailToken(ctx.manager.db, purpose, did)
  if (!found || found.token !== token.trim().toUpperCase()) throw InvalidRequestError('Token is invalid', 'InvalidToken')
  if (expired(found.requestedAt)) throw InvalidRequestError('Token is expired', 'ExpiredToken')
}

export function consumeToken(ctx: AccountsContext, did: string, purpose: EmailTokenPurpose, token: string) {
  assertValidToken(ctx, did, purpose, token)
  emailTokens.deleteEmailToken(ctx.manager.db, purpose, did)
}

/** For resetPassword, which has only the token: finds its account. */
export function findTokenDid(ctx: AccountsContext, purpose: EmailTokenPurpose, token: string): string {
  const found = emailTokens.findEmailToken(ctx.manager.db, purpose, token.trim().toUpperCase())
  if (!found) throw InvalidRequestError('Token is invalid', 'InvalidToken')
  if (expired(found.requestedAt)) throw InvalidRequestError('Token is expired', 'ExpiredToken')
  return found.did
}

export function confirmEmail(ctx: AccountsContext, did: string, email: string, token: string) {
  const account = ctx.manager.getAccount(did, { includeDeactivated: true })
  if (!account) throw InvalidRequestError('user not found', 'AccountNotFound')
  if (account.email !== email.toLowerCase()) throw InvalidRequestError('invalid email', 'InvalidEmail')
  consumeToken(ctx, did, 'confirm_email', token)
  actors.setEmailConfirmedAt(ctx.manager.db, did, new Date().toISOString())
}

export function updateEmail(ctx: AccountsContext, did: string, email: string) {
  const other = ctx.manager.getAccountByEmail(email, { includeDeactivated: true, includeTakenDown: true })
  if (other && other.did !== did) throw InvalidRequestError('This email address is already in use, please use a different one.')
  ctx.manager.db.transaction(() => {
    actors.updateEmail(ctx.manager.db, did, email)
    emailTokens.deleteAllEmailTokens(ctx.manager.db, did)
  })()
}
