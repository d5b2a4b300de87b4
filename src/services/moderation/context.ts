// What the moderation flows share: the database, the clock, the labeler and ports to accounts and repos.
import type { Database } from 'bun:sqlite'
import type { Logger } from '../../logger.ts'
import type { AccountService } from '../accounts/account-service.ts'
import type { RepoService } from '../repo/service.ts'
import type { Labeler } from './labeler.ts'
import type { RemoteSubjects } from './remote.ts'

/** The admin API's status change (com.atproto.admin.updateSubjectStatus): takedowns of our own subjects. */
export type SubjectStatusPort = (input: {
  subject: Record<string, unknown> & { $type: string }
  takedown: { applied: boolean; ref?: string }
}) => Promise<unknown>

export type ModContext = {
  db: Database
  log: Logger
  accounts: AccountService
  repo: RepoService
  labeler: Labeler
  applySubjectStatus: SubjectStatusPort
  now: () => Date
  /** The team lead's DID: the labeler's identity; null while moderation is off. */
  teamDid: () => string | null
  /** Records and accounts hosted on other servers, read from their PDS. */
  remote: RemoteSubjects
}

export const hoursFrom = (now: Date, hours: number) => new Date(now.getTime() + hours * 3600_000).toISOString()

export function isLocalAccount(ctx: ModContext, did: string): boolean {
  return !!ctx.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
}
