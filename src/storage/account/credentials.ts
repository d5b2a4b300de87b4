// Password hashes, app passwords and refresh tokens.
import type { Database } from 'bun:sqlite'

export function getPasswordScrypt(db: Database, did: string): string | null {
  return db.query<{ passwordScrypt: string }, [string]>('SELECT passwordScrypt FROM account WHERE did = ?').get(did)?.passwordScrypt ?? null
}

export function setPasswordScrypt(db: Database, did: string, passwordScrypt: string) {
  db.query('UPDATE account SET passwordScrypt = ? WHERE did = ?').run(passwordScrypt, did)
}

/** scope: an OAuth-style scope string for scoped app passwords, null for the old kind. */
export type AppPasswordRow = { name: string; createdAt: string; privileged: number; passwordScrypt: string; scope: string | null }

export function findAppPassword(db: Database, did: string, passwordScrypt: string): AppPasswordRow | null {
  return db.query<AppPasswordRow, [string, string]>('SELECT * FROM app_password WHERE did = ? AND passwordScrypt = ?').get(did, passwordScrypt)
}

export function getAppPassword(db: Database, did: string, name: string): AppPasswordRow | null {
  return db.query<AppPasswordRow, [string, string]>('SELECT * FROM app_password WHERE did = ? AND name = ?').get(did, name)
}

export function insertAppPassword(
  db: Database,
  row: { did: string; name: string; passwordScrypt: string; createdAt: string; privileged: boolean; scope: string | null },
) {
  db.query('INSERT INTO app_password (did, name, passwordScrypt, createdAt, privileged, scope) VALUES (?, ?, ?, ?, ?, ?)').run(
    row.did,
    row.name,
    row.passwordScrypt,
    row.createdAt,
    row.privileged ? 1 : 0,
    row.scope,
  )
}

export function listAppPasswords(db: Database, did: string): AppPasswordRow[] {
  return db.query<AppPasswordRow, [string]>('SELECT * FROM app_password WHERE did = ? ORDER BY createdAt DESC').all(did)
}

export function deleteAppPassword(db: Database, did: string, name: string) {
  db.query('DELETE FROM app_password WHERE did = ? AND name = ?').run(did, name)
  db.query('DELETE FROM refresh_token WHERE did = ? AND appPasswordName = ?').run(did, name)
}

export type RefreshTokenRow = {
  id: string
  did: string
  expiresAt: string
  nextId: string | null
  appPasswordName: string | null
  family: string | null
  userAgent: string | null
  ipAddress: string | null
  createdAt: string | null
  lastUsedAt: string | null
}

/** Where the session is used from: user agent (bounded by the caller), client IP, ISO times. */
export type RefreshTokenDevice = { userAgent: string | null; ipAddress: string | null; createdAt: string; lastUsedAt: string }

/** `family`: the first token of the login this one was rotated from (default: itself). */
export function insertRefreshToken(
  db: Database,
  row: { id: string; did: string; expiresAt: string; appPasswordName: string | null; family?: string; device?: RefreshTokenDevice },
) {
  // Re-granting the same id during the grace period is a no-op, as in the reference.
  db.query(
    'INSERT INTO refresh_token (id, did, expiresAt, appPasswordName, family, userAgent, ipAddress, createdAt, lastUsedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(
    row.id,
    row.did,
    row.expiresAt,
    row.appPasswordName,
    row.family ?? row.id,
    row.device?.userAgent ?? null,
    row.device?.ipAddress ?? null,
    row.device?.createdAt ?? null,
    row.device?.lastUsedAt ?? null,
  )
}

export type SpentRefreshToken = { id: string; did: string; family: string; expiresAt: string }

/** Remembers a rotated-out token until its JWT expires (first rotation wins). */
export function markRefreshTokenSpent(db: Database, row: SpentRefreshToken) {
  db.query('INSERT INTO refresh_token_spent (id, did, family, expiresAt) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(row.id, row.did, row.family, row.expiresAt)
}

export function getSpentRefreshToken(db: Database, id: string, now: string): SpentRefreshToken | null {
  return db.query<SpentRefreshToken, [string, string]>('SELECT * FROM refresh_token_spent WHERE id = ? AND expiresAt > ?').get(id, now)
}

/** Ends every live token of a family; returns how many there were. */
export function deleteRefreshTokenFamily(db: Database, family: string): number {
  return db.query('DELETE FROM refresh_token WHERE family = ? OR (family IS NULL AND id = ?)').run(family, family).changes
}

export function deleteExpiredSpentRefreshTokens(db: Database, did: string, now: string) {
  db.query('DELETE FROM refresh_token_spent WHERE did = ? AND expiresAt <= ?').run(did, now)
}

export function getRefreshToken(db: Database, id: string): RefreshTokenRow | null {
  return db.query<RefreshTokenRow, [string]>('SELECT * FROM refresh_token WHERE id = ?').get(id)
}

export function setRefreshGrace(db: Database, id: string, expiresAt: string, nextId: string) {
  db.query('UPDATE refresh_token SET expiresAt = ?, nextId = ? WHERE id = ?').run(expiresAt, nextId, id)
}

export function deleteExpiredRefreshTokens(db: Database, did: string, now: string) {
  db.query('DELETE FROM refresh_token WHERE did = ? AND expiresAt <= ?').run(did, now)
}

export function deleteRefreshToken(db: Database, id: string): boolean {
  return db.query('DELETE FROM refresh_token WHERE id = ?').run(id).changes > 0
}

/** The sessions signed in with the account password (not with an app password). */
export function deletePasswordRefreshTokens(db: Database, did: string) {
  db.query('DELETE FROM refresh_token WHERE did = ? AND appPasswordName IS NULL').run(did)
}

export function deleteRefreshTokensByDid(db: Database, did: string) {
  db.query('DELETE FROM refresh_token WHERE did = ?').run(did)
  db.query('DELETE FROM refresh_token_spent WHERE did = ?').run(did)
}

/** The account's current refresh tokens (not those already rotated and in their grace period). */
export function listCurrentRefreshTokens(db: Database, did: string, now: string): RefreshTokenRow[] {
  return db
    .query<RefreshTokenRow, [string, string]>('SELECT * FROM refresh_token WHERE did = ? AND nextId IS NULL AND expiresAt > ? ORDER BY expiresAt DESC')
    .all(did, now)
}
