// mod_member and mod_state: who is on the moderation team, and the service's own settings.
import type { Database } from 'bun:sqlite'

export type MemberRow = { did: string; role: string; disabled: number; created_at: string; updated_at: string; last_updated_by: string }

export function getMember(db: Database, did: string): MemberRow | null {
  return db.query<MemberRow, [string]>('SELECT * FROM mod_member WHERE did = ?').get(did)
}

export function listMembers(db: Database, q: { roles?: string[]; disabled?: boolean; after?: string; limit: number }): MemberRow[] {
  const where: string[] = []
  const args: (string | number)[] = []
  if (q.roles?.length) (where.push(`role IN (${q.roles.map(() => '?').join(', ')})`), args.push(...q.roles))
  if (q.disabled !== undefined) (where.push('disabled = ?'), args.push(q.disabled ? 1 : 0))
  if (q.after) (where.push('did > ?'), args.push(q.after))
  return db.query<MemberRow, any[]>(`SELECT * FROM mod_member ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY did LIMIT +?`).all(...args, q.limit)
}

export function putMember(db: Database, m: MemberRow): MemberRow {
  return db
    .query<MemberRow, any[]>(
      `INSERT INTO mod_member (did, role, disabled, created_at, updated_at, last_updated_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (did) DO UPDATE SET role = excluded.role, disabled = excluded.disabled, updated_at = excluded.updated_at, last_updated_by = excluded.last_updated_by
       RETURNING *`,
    )
    .get(m.did, m.role, m.disabled, m.created_at, m.updated_at, m.last_updated_by)!
}

export function deleteMember(db: Database, did: string): boolean {
  return db.query('DELETE FROM mod_member WHERE did = ?').run(did).changes > 0
}

export function getState(db: Database, key: string): string | null {
  return db.query<{ value: string }, [string]>('SELECT value FROM mod_state WHERE key = ?').get(key)?.value ?? null
}

export function setState(db: Database, key: string, value: string): void {
  db.query('INSERT INTO mod_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value)
}

export function deleteState(db: Database, key: string): void {
  db.query('DELETE FROM mod_state WHERE key = ?').run(key)
}

export function stateKeysWithPrefix(db: Database, prefix: string): string[] {
  return db.query<{ key: string }, [number, string]>('SELECT key FROM mod_state WHERE substr(key, 1, ?) = ? ORDER BY key').all(prefix.length, prefix).map((r) => r.key)
}
