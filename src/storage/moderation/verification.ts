// The verification table (tools.ozone.verification): granted verifications and their revocation.
import type { Database } from 'bun:sqlite'

export type VerificationRow = {
  uri: string
  cid: string
  issuer: string
  subject: string
  handle: string
  display_name: string
  created_at: string
  updated_at: string
  revoke_reason: string | null
  revoked_by: string | null
  revoked_at: string | null
}

export function insertVerification(db: Database, v: Omit<VerificationRow, 'revoke_reason' | 'revoked_by' | 'revoked_at'>): VerificationRow {
  return db
    .query<VerificationRow, any[]>(
      `INSERT INTO verification (uri, cid, issuer, subject, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (uri) DO UPDATE SET cid = excluded.cid RETURNING *`,
    )
    .get(v.uri, v.cid, v.issuer, v.subject, v.handle, v.display_name, v.created_at, v.updated_at)!
}

export const getVerification = (db: Database, uri: string) => db.query<VerificationRow, [string]>('SELECT * FROM verification WHERE uri = ?').get(uri)

/** The issuer's standing (not revoked) verification of the subject, if any. */
export const activeVerification = (db: Database, issuer: string, subject: string) =>
  db.query<VerificationRow, [string, string]>('SELECT * FROM verification WHERE subject = ? AND issuer = ? AND revoked_at IS NULL LIMIT 1').get(subject, issuer)

/** URIs of the issuer's verifications not revoked. */
export const activeUris = (db: Database, issuer: string) =>
  db.query<{ uri: string }, [string]>('SELECT uri FROM verification WHERE issuer = ? AND revoked_at IS NULL').all(issuer).map((r) => r.uri)

export function markRevoked(db: Database, uri: string, r: { by: string; reason: string | null; at: string }): boolean {
  return db.query('UPDATE verification SET revoked_by = ?, revoke_reason = ?, revoked_at = ?, updated_at = ? WHERE uri = ? AND revoked_at IS NULL').run(r.by, r.reason, r.at, r.at, uri).changes > 0
}

export type VerificationFilter = {
  issuers?: string[]
  subjects?: string[]
  createdAfter?: string
  createdBefore?: string
  isRevoked?: boolean
  /** Keyset: the last row of the previous page. */
  after?: { createdAt: string; uri: string }
  direction: 'asc' | 'desc'
  limit: number
}

export function listVerifications(db: Database, f: VerificationFilter): VerificationRow[] {
  const parts: string[] = []
  const args: string[] = []
  const anyOf = (column: string, values?: string[]) => {
    if (!values?.length) return
    parts.push(`${column} IN (${values.map(() => '?').join(', ')})`)
    args.push(...values)
  }
  anyOf('issuer', f.issuers)
  anyOf('subject', f.subjects)
  if (f.createdAfter) (parts.push('created_at >= ?'), args.push(f.createdAfter))
  if (f.createdBefore) (parts.push('created_at <= ?'), args.push(f.createdBefore))
  if (f.isRevoked !== undefined) parts.push(f.isRevoked ? 'revoked_at IS NOT NULL' : 'revoked_at IS NULL')
  const cmp = f.direction === 'asc' ? '>' : '<'
  if (f.after) (parts.push(`(created_at ${cmp} ? OR (created_at = ? AND uri ${cmp} ?))`), args.push(f.after.createdAt, f.after.createdAt, f.after.uri))
  const dir = f.direction === 'asc' ? 'ASC' : 'DESC'
  return db
    .query<VerificationRow, any[]>(`SELECT * FROM verification ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''} ORDER BY created_at ${dir}, uri ${dir} LIMIT +?`)
    .all(...args, f.limit)
}
