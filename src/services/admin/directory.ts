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
  const at = Math.max(1, Math.floor(page) || 1)
  const { rows, total } = searchAccountRows(db, filter, (at - 1) * DIRECTORY_PAGE, DIRECTORY_PAGE)
  const entries = rows.map((r) => ({
    did: r.did,
    handle: r.handle,
    email: r.email,
    createdAt: r.createdAt,
    status: (formatAccountStatus(r).status ?? 'active') as DirectoryEntry['status'],
    repoBytes: fileBytes(storeLocation(r.did)),
    lastWriteAt: r.lastWriteAt,
  }))
  return { entries, total, page: at, pages: Math.max(1, Math.ceil(total / DIRECTORY_PAGE)) }
}

export { fileBytes }

export const INVITES_PAGE = 50

/** Every invite code with its uses, newest first. */
export function listInvites(db: Database, page: number): { codes: InviteCodeView[]; total: number; page: number; pages: number } {
  const at = Math.max(1, Math.floor(page) || 1)
  const { rows, total } = pageInviteCodes(db, (at - 1) * INVITES_PAGE, INVITES_PAGE)
  return { codes: viewInviteCodes(db, rows), total, page: at, pages: Math.max(1, Math.ceil(total / INVITES_PAGE)) }
}
