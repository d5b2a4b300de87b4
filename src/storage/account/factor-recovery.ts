// Rows of factor_recovery (migrations/account/311_factor_recovery.sql): pending recoveries of lost
// second factors, one per account.
import type { Database } from 'bun:sqlite'

export type RecoveryRow = { did: string; tokenHash: string; requestedAt: number; dueAt: number; mailedAt: number }

export function putRecovery(db: Database, row: RecoveryRow) {
  db.query(
    'INSERT INTO factor_recovery (did, tokenHash, requestedAt, dueAt, mailedAt) VALUES (?, ?, ?, ?, ?) ON CONFLICT (did) DO UPDATE SET tokenHash = excluded.tokenHash, requestedAt = excluded.requestedAt, dueAt = excluded.dueAt, mailedAt = excluded.mailedAt',
  ).run(row.did, row.tokenHash, row.requestedAt, row.dueAt, row.mailedAt)
}

export function getRecovery(db: Database, did: string): RecoveryRow | null {
  return db.query<RecoveryRow, [string]>('SELECT * FROM factor_recovery WHERE did = ?').get(did)
}

export function getRecoveryByToken(db: Database, tokenHash: string): RecoveryRow | null {
  return db.query<RecoveryRow, [string]>('SELECT * FROM factor_recovery WHERE tokenHash = ?').get(tokenHash)
}

export function deleteRecovery(db: Database, did: string): boolean {
  return db.query('DELETE FROM factor_recovery WHERE did = ?').run(did).changes > 0
}
