// The console's account list: a page of accounts matching a search, with what an operator looks for
// (status, the repo's size on disk, the last write). Sizes are file sizes: no actor store is opened.
import type { Database } from 'bun:sqlite'
import { statSync } from 'node:fs'
import { pageInviteCodes, searchAccountRows, type AccountFilter } from '../../storage/account/admin-console.ts'
import { viewInviteCodes, type InviteCodeView } from '../accounts/invites.ts'
import { formatAccountStatus } from '../accounts/account-manager.ts'

export type DirectoryEntry = {
  did: string
  handle: string | null
  email: string | null
  createdAt: string
  status: 'active' | 'deactivated' | 'takendown'
  /** The actor store's bytes on disk (database and its WAL); null without one. */
  repoBytes: number | null
  lastWriteAt: string | null
}

export const DIRECTORY_PAGE = 25

function fileBytes(path: string): number | null {
  try {
    const main = statSync(path).size
    let wal = 0
    try {
      wal = statSync(`${path}-wal`).size
    } catch {
      // no WAL: checkpointed and closed
    }
    return main + wal
  } catch {
    return null
  }
}

export function searchAccounts(
  db: Database,
  storeLocation: (did: string) => string,
  filter: AccountFilter,
  page: number,
): { entries: DirectoryEntry[]; total: number; page: number; pages: number } {
  const { rows, total, page: at, pages } = pageOf(page, DIRECTORY_PAGE, (offset, limit) => searchAccountRows(db, filter, offset, limit))
  const entries = rows.map((r) => ({
    did: r.did,
    handle: r.handle,
    email: r.email,
    createdAt: r.createdAt,
    status: (formatAccountStatus(r).status ?? 'active') as DirectoryEntry['status'],
    repoBytes: fileBytes(storeLocation(r.did)),
    lastWriteAt: r.lastWriteAt,
  }))
  return { entries, total, page: at, pages }
}

/**
 * One page of a listing. `asked` comes from the address bar, so it may be anything: it is kept
 * within 1 and the last page (an offset past 2^53 was an SQLite error, a 500).
 */
function pageOf<T>(asked: number, size: number, query: (offset: number, limit: number) => { rows: T[]; total: number }) {
  let page = Math.min(Math.max(1, Math.floor(asked) || 1), Math.floor(Number.MAX_SAFE_INTEGER / size))
  let result = query((page - 1) * size, size)
  const pages = Math.max(1, Math.ceil(result.total / size))
  if (page > pages) result = query(((page = pages) - 1) * size, size)
  return { ...result, page, pages }
}

export { fileBytes }

export const INVITES_PAGE = 50

/** Every invite code with its uses, newest first. */
export function listInvites(db: Database, page: number): { codes: InviteCodeView[]; total: number; page: number; pages: number } {
  const { rows, total, page: at, pages } = pageOf(page, INVITES_PAGE, (offset, limit) => pageInviteCodes(db, offset, limit))
  return { codes: viewInviteCodes(db, rows), total, page: at, pages }
}
