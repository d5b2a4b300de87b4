// Rows of trusted_browser (migrations/account/310_trusted_browser.sql): browsers that skip the second
// factor of one account until they expire.
import type { Database } from 'bun:sqlite'

export type TrustedBrowserRow = {
  id: string
  did: string
  createdAt: number
  expiresAt: number
  lastUsedAt: number | null
  userAgent: string | null
  ipAddress: string | null
}

export function insertTrustedBrowser(db: Database, row: TrustedBrowserRow) {
  db.query('INSERT INTO trusted_browser (id, did, createdAt, expiresAt, lastUsedAt, userAgent, ipAddress) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    row.id,
    row.did,
    row.createdAt,
    row.expiresAt,
    row.lastUsedAt,
    row.userAgent,
    row.ipAddress,
  )
}

/** The live row of `did` among `ids` (a browser may hold tokens of several accounts), or null. */
export function findTrustedBrowser(db: Database, did: string, ids: string[], now: number): TrustedBrowserRow | null {
  if (!ids.length) return null
  const marks = ids.map(() => '?').join(', ')
  return db.query<TrustedBrowserRow, (string | number)[]>(`SELECT * FROM trusted_browser WHERE did = ? AND expiresAt > ? AND id IN (${marks})`).get(did, now, ...ids)
}

export function touchTrustedBrowser(db: Database, id: string, at: number) {
  db.query('UPDATE trusted_browser SET lastUsedAt = ? WHERE id = ?').run(at, id)
}

export function listTrustedBrowsers(db: Database, did: string, now: number): TrustedBrowserRow[] {
  return db.query<TrustedBrowserRow, [string, number]>('SELECT * FROM trusted_browser WHERE did = ? AND expiresAt > ? ORDER BY createdAt DESC').all(did, now)
}

export function deleteTrustedBrowser(db: Database, did: string, id: string): boolean {
  return db.query('DELETE FROM trusted_browser WHERE did = ? AND id = ?').run(did, id).changes > 0
}

export function deleteTrustedBrowsersOf(db: Database, did: string): number {
  return db.query('DELETE FROM trusted_browser WHERE did = ?').run(did).changes
}

/** Expired rows, and the oldest of `did` beyond `keep`. */
export function pruneTrustedBrowsers(db: Database, did: string, now: number, keep: number) {
  db.query('DELETE FROM trusted_browser WHERE expiresAt <= ?').run(now)
  db.query('DELETE FROM trusted_browser WHERE did = ? AND id NOT IN (SELECT id FROM trusted_browser WHERE did = ? ORDER BY createdAt DESC LIMIT +?)').run(did, did, keep)
}
