// tools.ozone.hosting.getAccountHistory: an account's changes as this server recorded them
// (account_history in account.sqlite, kept by triggers), each with who made it: the account itself, the
// operator (the console's audit log) or a moderator (the takedown's moderation event).
import { authRequired, invalidInput } from '../errors.ts'
import { listAccountHistory, type AccountHistoryRow } from '../../storage/account/account-history.ts'
import { eventCreator, latestAccountEventCreator } from '../../storage/moderation/hosting.ts'
import type { ModContext } from './context.ts'
import { isModerator, type Caller } from './team.ts'

const NSID = 'tools.ozone.hosting.getAccountHistory'
const REVERSE_TAKEDOWN = 'tools.ozone.moderation.defs#modEventReverseTakedown'

/** The lexicon's details, and (its union being open) the other changes this server records, named alike. */
function details(row: AccountHistoryRow): Record<string, unknown> {
  const $type = `${NSID}#${row.event}`
  switch (row.event) {
    case 'accountCreated':
      return { $type, ...(row.email ? { email: row.email } : {}), ...(row.handle ? { handle: row.handle } : {}) }
    case 'emailUpdated':
    case 'emailConfirmed':
      return { $type, email: row.email ?? '' } // '' once the account is deleted
    case 'handleUpdated':
      return { $type, handle: row.handle ?? 'handle.invalid' }
    case 'accountTakendown':
      return { $type, ...(row.detail ? { ref: row.detail } : {}) }
    case 'accountDeleted':
      return { $type, ...(row.handle ? { handle: row.handle } : {}) }
    default:
      return { $type }
  }
}

const secondsFrom = (iso: string, s: number) => new Date(Date.parse(iso) + s * 1000).toISOString()

export class Hosting {
  constructor(private readonly ctx: ModContext) {}

  private createdBy(row: AccountHistoryRow): string {
    if (row.auditActor) return row.auditActor
    if (row.event === 'accountTakendown') {
      const id = /^TAKEDOWN-(\d+)$/.exec(row.detail ?? '')?.[1]
      return (id && eventCreator(this.ctx.db, Number(id))) || 'admin'
    }
    if (row.event === 'takedownReversed') return latestAccountEventCreator(this.ctx.db, row.did, REVERSE_TAKEDOWN, secondsFrom(row.at, -60), secondsFrom(row.at, 1)) ?? 'admin'
    return row.did
  }

  getAccountHistory(by: Caller, q: { did: string; events?: string[]; cursor?: string; limit?: number }) {
    if (!isModerator(by)) throw authRequired('Must be a moderator to see account history')
    if (q.cursor !== undefined && !/^\d+$/.test(q.cursor)) throw invalidInput('Malformed cursor')
    const limit = q.limit ?? 50
    const rows = listAccountHistory(this.ctx.accounts.manager.db, { did: q.did, events: q.events, before: q.cursor === undefined ? undefined : Number(q.cursor), limit })
    const events = rows.map((row) => ({ details: details(row), createdBy: this.createdBy(row), createdAt: row.at }))
    return { events, ...(rows.length === limit ? { cursor: String(rows.at(-1)!.id) } : {}) }
  }
}
