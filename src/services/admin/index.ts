// The operator's console as one unit for the composition root: audit log, console sessions, who may sign
// in, the actions (each audited), the account directory and the server overview.
import type { Database } from 'bun:sqlite'
import type { AccountFilter } from '../../storage/account/admin-console.ts'
import type { AccountService } from '../accounts/account-service.ts'
import { OperatorActions } from './actions.ts'
import { AuditLog } from './audit.ts'
import { ConsoleSessions } from './console-sessions.ts'
import { ConsoleSignIn } from './console-sign-in.ts'
import { listInvites, searchAccounts } from './directory.ts'
import { Overview, type OverviewSources } from './overview.ts'
import { ReportActions, type ReportQueue } from './reports.ts'

export type { Operator, AuditEntry } from './audit.ts'

export type OperatorConsole = {
  audit: AuditLog
  sessions: ConsoleSessions
  signIn: ConsoleSignIn
  actions: OperatorActions
  overview: Overview
  searchAccounts(filter: AccountFilter, page: number): ReturnType<typeof searchAccounts>
  listInvites(page: number): ReturnType<typeof listInvites>
  /** Reports kept by the bundled moderation service, resolved or escalated from the console. */
  reports: ReportActions
}

export function buildOperatorConsole(o: {
  accountDb: Database
  accounts: AccountService
  /** The actor store file of a DID (its size is the repo's size). */
  storeLocation(did: string): string
  moderation: ReportQueue
  overview: Omit<OverviewSources, 'accountDb'>
}): OperatorConsole {
  const audit = new AuditLog(o.accountDb)
  return {
    audit,
    sessions: new ConsoleSessions(o.accountDb),
    signIn: new ConsoleSignIn({ adminPassword: o.overview.config.secrets.adminPassword, adminHandles: o.overview.config.adminHandles, accounts: o.accounts }),
    actions: new OperatorActions(o.accounts, audit),
    overview: new Overview({ ...o.overview, accountDb: o.accountDb }),
    searchAccounts: (filter, page) => searchAccounts(o.accountDb, o.storeLocation, filter, page),
    listInvites: (page) => listInvites(o.accountDb, page),
    reports: new ReportActions(o.moderation, audit),
  }
}
