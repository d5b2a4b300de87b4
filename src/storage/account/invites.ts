// Invite codes and their uses.
import type { Database } from 'bun:sqlite'

export type InviteCodeRow = { code: string; availableUses: number; disabled: number; forAccount: string; createdBy: string; createdAt: string }
export type InviteUseRow = { code: string; usedBy: string; usedAt: string }

export function getInviteCode(db: Database, code: string): InviteCodeRow | null {
  return db.query<InviteCodeRow, [string]>('SELECT * FROM invite_code WHERE code = ?').get(code)
}

export function countInviteUses(db: Database, code: string): number {
  return db.query<{ n: number }, [string]>('SELECT count(*) AS n FROM invite_code_use WHERE code = ?').get(code)!.n
}

export function insertInviteCode(db: Database, row: Omit<InviteCodeRow, 'disabled'>) {
  db.query('INSERT INTO invite_code (code, availableUses, disabled, forAccount, createdBy, createdAt) VALUES (?, ?, 0, ?, ?, ?)').run(
    row.code,
    row.availableUses,
    row.forAccount,
    row.createdBy,
    row.createdAt,
  )
}

export function insertInviteUse(db: Database, row: InviteUseRow) {
  db.query('INSERT INTO invite_code_use (code, usedBy, usedAt) VALUES (?, ?, ?)').run(row.code, row.usedBy, row.usedAt)
}

export function listInviteCodesFor(db: Database, forAccount: string): InviteCodeRow[] {
  return db.query<InviteCodeRow, [string]>('SELECT * FROM invite_code WHERE forAccount = ? ORDER BY createdAt').all(forAccount)
}

export function listInviteCodes(db: Database, cursor: string | undefined, limit: number): InviteCodeRow[] {
  return db
    .query<InviteCodeRow, [string, number]>('SELECT * FROM invite_code WHERE createdAt > ? ORDER BY createdAt, code LIMIT ?')
    .all(cursor ?? '', limit)
}

export function listInviteUses(db: Database, codes: string[]): InviteUseRow[] {
  if (codes.length === 0) return []
  return db.query<InviteUseRow, string[]>(`SELECT * FROM invite_code_use WHERE code IN (${codes.map(() => '?').join(',')})`).all(...codes)
}

export function disableInviteCodes(db: Database, codes: string[], accounts: string[]) {
  for (const code of codes) db.query('UPDATE invite_code SET disabled = 1 WHERE code = ?').run(code)
  for (const did of accounts) db.query('UPDATE invite_code SET disabled = 1 WHERE forAccount = ?').run(did)
}

export function invitedBy(db: Database, did: string): InviteCodeRow | null {
  return db
    .query<InviteCodeRow, [string]>('SELECT invite_code.* FROM invite_code_use JOIN invite_code USING (code) WHERE invite_code_use.usedBy = ?')
    .get(did)
}
