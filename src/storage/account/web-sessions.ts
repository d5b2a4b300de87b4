// Rows of web_session: the account web app's browser sessions (see migrations/account/200_web_session.sql).
import type { Database } from 'bun:sqlite'

export type WebSessionRow = {
  id: string
  did: string
  createdAt: number
  lastSeenAt: number
  authenticatedAt: number
  expiresAt: number
  userAgent: string | null
  ipAddress: string | null
  /** When a second factor was last given in this session; null when none was. */
  factorAt: number | null
}

export function insertWebSession(db: Database, row: WebSessionRow) {
  db.query(
    'INSERT INTO web_session (id, did, createdAt, lastSeenAt, authenticatedAt, expiresAt, userAgent, ipAddress, factorAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(row.id, row.did, row.createdAt, row.lastSeenAt, row.authenticatedAt, row.expiresAt, row.userAgent, row.ipAddress, row.factorAt)
}

export function getWebSession(db: Database, id: string): WebSessionRow | null {
  return db.query<WebSessionRow, [string]>('SELECT * FROM web_session WHERE id = ?').get(id)
}

export function listWebSessions(db: Database, did: string, now: number): WebSessionRow[] {
  return db.query<WebSessionRow, [string, number]>('SELECT * FROM web_session WHERE did = ? AND expiresAt > ? ORDER BY lastSeenAt DESC').all(did, now)
}

export function touchWebSession(db: Database, id: string, at: number, expiresAt: number, ipAddress: string | null, userAgent: string | null) {
  db.query('UPDATE web_session SET lastSeenAt = ?, expiresAt = ?, ipAddress = ?, userAgent = ? WHERE id = ?').run(at, expiresAt, ipAddress, userAgent, id)
}

export function setWebSessionAuthenticated(db: Database, id: string, at: number) {
  db.query('UPDATE web_session SET authenticatedAt = ? WHERE id = ?').run(at, id)
}

export function setWebSessionFactor(db: Database, id: string, at: number) {
  db.query('UPDATE web_session SET factorAt = ? WHERE id = ?').run(at, id)
}

export function deleteWebSession(db: Database, id: string): boolean {
  return db.query('DELETE FROM web_session WHERE id = ?').run(id).changes > 0
}

/** Every session of an account, except `keepId` when given; returns how many ended. */
export function deleteWebSessionsOf(db: Database, did: string, keepId: string | null = null): number {
  return db.query('DELETE FROM web_session WHERE did = ? AND id IS NOT ?').run(did, keepId).changes
}

export function deleteExpiredWebSessions(db: Database, now: number) {
  db.query('DELETE FROM web_session WHERE expiresAt <= ?').run(now)
}
