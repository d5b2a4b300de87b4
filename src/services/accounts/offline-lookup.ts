// Account lookups for the CLI on a stopped or running server: account.sqlite opened read-only, so a
// taken-down account (which network handle resolution cannot find) is found too.
import { getAccountRow, getAccountRowByEmail } from '../../storage/account/actors.ts'
import { openDatabase } from '../../storage/sqlite.ts'

export type OfflineAccount = { did: string; handle: string | null; email: string | null }

/** The account with this DID or handle (`by: 'id'`) or email, including taken-down and deactivated ones. */
export function lookupAccountOffline(accountDbLocation: string, by: 'id' | 'email', value: string): OfflineAccount | null {
  const db = openDatabase(accountDbLocation, 'account', { readonly: true })
  try {
    const all = { includeTakenDown: true, includeDeactivated: true }
    const row = by === 'email' ? getAccountRowByEmail(db, value, all) : getAccountRow(db, value, all)
    return row ? { did: row.did, handle: row.handle, email: row.email } : null
  } finally {
    db.close()
  }
}
