// The operator's side of accounts (com.atproto.admin.*): account views for moderators, invite switches,
// and the admin-only email/handle changes. Functions over AccountService so the service class stays as is.
import type { AccountService } from './account-service.ts'
import type { AccountView } from './account-manager.ts'
import type { InviteCodeView } from './invites.ts'
import { INVALID_HANDLE } from '../../core/syntax/handle.ts'
import { deleteAllEmailTokens } from '../../storage/account/email-tokens.ts'
import * as actors from '../../storage/account/actors.ts'
import { invalidInput } from '../errors.ts'

const ANY_STATE = { includeDeactivated: true, includeTakenDown: true }

/** com.atproto.admin.defs#accountView (the reference's formatAccountInfo; this server manages its own invites). */
export type AdminAccountView = {
  did: string
  handle: string
  email?: string
  indexedAt: string
  invitedBy?: InviteCodeView
  invites: InviteCodeView[]
  invitesDisabled: boolean
  emailConfirmedAt?: string
  deactivatedAt?: string
}

function formatAccountInfo(accounts: AccountService, account: AccountView): AdminAccountView {
  return {
    did: account.did,
    handle: account.handle ?? INVALID_HANDLE,
    email: account.email ?? undefined,
    indexedAt: account.createdAt,
    invitedBy: accounts.invitedBy(account.did),
    invites: accounts.getAccountInviteCodes(account.did),
    invitesDisabled: account.invitesDisabled,
    emailConfirmedAt: account.emailConfirmedAt ?? undefined,
    deactivatedAt: account.deactivatedAt ?? undefined,
  }
}

export function getAccountInfo(accounts: AccountService, did: string): AdminAccountView {
  const account = accounts.getAccount(did, ANY_STATE)
  if (!account || !did.startsWith('did:')) throw invalidInput('Account not found', 'NotFound')
  return formatAccountInfo(accounts, account)
}

/** Unknown DIDs are left out, as the reference. */
export function getAccountInfos(accounts: AccountService, dids: string[]): { infos: AdminAccountView[] } {
  const infos: AdminAccountView[] = []
  for (const did of new Set(dids)) {
    const account = did.startsWith('did:') ? accounts.getAccount(did, ANY_STATE) : null
    if (account) infos.push(formatAccountInfo(accounts, account))
  }
  return { infos }
}

/** The account row's invitesDisabled flag (the lexicon's `note` is not stored, as the reference). */
export function setAccountInvitesDisabled(accounts: AccountService, did: string, disabled: boolean) {
  actors.setInvitesDisabled(accounts.manager.db, did, disabled)
}

/** Sets the address (unconfirmed) and drops every pending email token; no verification mail, as the reference. */
export function updateAccountEmail(accounts: AccountService, handleOrDid: string, email: string) {
  const account = accounts.getAccount(handleOrDid, ANY_STATE)
  if (!account) throw invalidInput(`Account does not exist: ${handleOrDid}`)
  const db = accounts.manager.db
  try {
    db.transaction(() => {
      actors.updateEmail(db, account.did, email)
      deleteAllEmailTokens(db, account.did)
    })()
  } catch (err) {
    // The reference surfaces this as a 500; the address is simply taken.
    if (String((err as Error).message).includes('UNIQUE')) throw invalidInput('This email address is already in use, please use a different one.')
    throw err
  }
}

/** Any valid handle (reserved names allowed), PLC update for did:plc, #identity event. Taken-down accounts are not found, as the reference. */
export async function updateAccountHandle(accounts: AccountService, did: string, handle: string) {
  if (!accounts.getAccount(did, { includeDeactivated: true })) throw invalidInput('Account not found')
  await accounts.updateHandle(did, handle, { allowReserved: true })
}

export async function sendEmail(accounts: AccountService, input: { recipientDid: string; content: string; subject?: string }) {
  const account = accounts.getAccount(input.recipientDid, ANY_STATE)
  if (!account) throw invalidInput('Recipient not found')
  if (!account.email) throw invalidInput('account does not have an email address')
  // Queued like every notification; the person's preferred channel if they chose one (issue 22).
  await accounts.ctx.notify.operatorMessage(account.did, account.email, input.subject ?? 'Message via your PDS', input.content)
  return { sent: true }
}
