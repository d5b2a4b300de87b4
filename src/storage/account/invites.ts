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

/**
 * Every invite code, newest first (`recent`: createdAt, then code) or most used first (`usage`: uses,
 * then code), after the row `after` names. A batch shares one createdAt, so the code breaks the tie:
 * paging never skips or repeats a code.
 */
export function listInviteCodes(
  db: Database,
  sort: 'recent' | 'usage',
  after: { primary: string | number; code: string } | undefined,
  limit: number,
): Array<InviteCodeRow & { uses: number }> {
  const key = sort === 'recent' ? 'createdAt' : 'uses'
  return db
    .query<InviteCodeRow & { uses: number }, [number, string | number, string | number, string, number]>(
      `WITH listed AS (SELECT ic.*, (SELECT count(*) FROM invite_code_use u WHERE u.code = ic.code) AS uses FROM invite_code ic)
       SELECT * FROM listed WHERE ? = 0 OR ${key} < ? OR (${key} = ? AND code < ?) ORDER BY ${key} DESC, code DESC LIMIT +?`,
    )
    .all(after ? 1 : 0, after?.primary ?? '', after?.primary ?? '', after?.code ?? '', limit)
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
