// Rows of admin_session and admin_audit (migrations/account/400_admin_console.sql), and the counts the
// console's server page shows.
import type { Database } from 'bun:sqlite'
import type { InviteCodeRow } from './invites.ts'

export type AdminSessionRow = {
  id: string
  actor: string
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  userAgent: string | null
  ipAddress: string | null
}

export function insertAdminSession(db: Database, row: AdminSessionRow) {
  db.query('INSERT INTO admin_session (id, actor, createdAt, lastSeenAt, expiresAt, userAgent, ipAddress) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    row.id,
    row.actor,
    row.createdAt,
    row.lastSeenAt,
    row.expiresAt,
    row.userAgent,
    row.ipAddress,
  )
}

export function getAdminSession(db: Database, id: string): AdminSessionRow | null {
  return db.query<AdminSessionRow, [string]>('SELECT * FROM admin_session WHERE id = ?').get(id)
}

export function touchAdminSession(db: Database, id: string, at: number, expiresAt: number, ipAddress: string | null) {
  db.query('UPDATE admin_session SET lastSeenAt = ?, expiresAt = ?, ipAddress = ? WHERE id = ?').run(at, expiresAt, ipAddress, id)
}

export function deleteAdminSession(db: Database, id: string) {
  db.query('DELETE FROM admin_session WHERE id = ?').run(id)
}

export function deleteAdminSessionsOf(db: Database, actor: string): number {
  return db.query('DELETE FROM admin_session WHERE actor = ?').run(actor).changes
}

export function deleteExpiredAdminSessions(db: Database, now: number) {
  db.query('DELETE FROM admin_session WHERE expiresAt <= ?').run(now)
}

export type AuditRow = {
  id: number
  at: string
  actor: string
  actorHandle: string | null
  action: string
  subject: string
  detail: string | null
  ip: string | null
}

export function insertAudit(db: Database, row: Omit<AuditRow, 'id'>): number {
  return Number(
    db
      .query('INSERT INTO admin_audit (at, actor, actorHandle, action, subject, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.at, row.actor, row.actorHandle, row.action, row.subject, row.detail, row.ip).lastInsertRowid,
  )
}

/** Newest first; `before` is the id to continue below (the previous page's last id). */
export function listAudit(db: Database, opts: { before?: number; limit: number; subject?: string }): AuditRow[] {
  const where: string[] = []
  const args: Array<string | number> = []
  if (opts.before !== undefined) {
    where.push('id < ?')
    args.push(opts.before)
  }
  if (opts.subject) {
    where.push('subject = ?')
    args.push(opts.subject)
  }
  const sql = `SELECT * FROM admin_audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT +?`
  return db.query<AuditRow, Array<string | number>>(sql).all(...args, opts.limit)
}

export type AccountCounts = { total: number; active: number; deactivated: number; takendown: number }

export function countAccounts(db: Database): AccountCounts {
  return db
    .query<AccountCounts, []>(
      `SELECT count(*) AS total,
        coalesce(sum(takedownRef IS NULL AND deactivatedAt IS NULL), 0) AS active,
        coalesce(sum(takedownRef IS NULL AND deactivatedAt IS NOT NULL), 0) AS deactivated,
        coalesce(sum(takedownRef IS NOT NULL), 0) AS takendown
      FROM actor`,
    )
    .get()!
}

export type AccountListRow = {
  did: string
  handle: string | null
  email: string | null
  createdAt: string
  takedownRef: string | null
  deactivatedAt: string | null
  /** When repo_root last changed: the account's last write. */
  lastWriteAt: string | null
}

export type AccountFilter = { query?: string; status?: 'active' | 'deactivated' | 'takendown' }

const STATUS_WHERE = {
  active: 'actor.takedownRef IS NULL AND actor.deactivatedAt IS NULL',
  deactivated: 'actor.takedownRef IS NULL AND actor.deactivatedAt IS NOT NULL',
  takendown: 'actor.takedownRef IS NOT NULL',
}

/** Newest accounts first; `query` matches part of the handle, email or DID. */
export function searchAccountRows(db: Database, f: AccountFilter, offset: number, limit: number): { rows: AccountListRow[]; total: number } {
  const where: string[] = []
  const args: Array<string | number> = []
  if (f.query) {
    const like = `%${f.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    where.push("(actor.handle LIKE ? ESCAPE '\\' OR account.email LIKE ? ESCAPE '\\' OR actor.did LIKE ? ESCAPE '\\')")
    args.push(like, like, like)
  }
  if (f.status) where.push(STATUS_WHERE[f.status])
  const from = `FROM actor LEFT JOIN account ON account.did = actor.did LEFT JOIN repo_root ON repo_root.did = actor.did${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`
  const rows = db
    .query<AccountListRow, Array<string | number>>(
      `SELECT actor.did, actor.handle, account.email, actor.createdAt, actor.takedownRef, actor.deactivatedAt, repo_root.indexedAt AS lastWriteAt
      ${from} ORDER BY actor.createdAt DESC, actor.did LIMIT +? OFFSET +?`,
    )
    .all(...args, limit, offset)
  const total = db.query<{ n: number }, Array<string | number>>(`SELECT count(*) AS n ${from}`).get(...args)!.n
  return { rows, total }
}

/** Every invite code, newest first, a page at a time (the console's invites page). */
export function pageInviteCodes(db: Database, offset: number, limit: number): { rows: InviteCodeRow[]; total: number } {
  const rows = db.query<InviteCodeRow, [number, number]>('SELECT * FROM invite_code ORDER BY createdAt DESC, code LIMIT +? OFFSET +?').all(limit, offset)
  return { rows, total: db.query<{ n: number }, []>('SELECT count(*) AS n FROM invite_code').get()!.n }
}
