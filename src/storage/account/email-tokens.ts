// Single-use email tokens: one per (purpose, did); a new request replaces the old one.
import type { Database } from 'bun:sqlite'

export type EmailTokenPurpose = 'confirm_email' | 'update_email' | 'reset_password' | 'delete_account' | 'plc_operation' | 'sign_in'

export function upsertEmailToken(db: Database, purpose: EmailTokenPurpose, did: string, token: string, requestedAt: string) {
  db.query(
    'INSERT INTO email_token (purpose, did, token, requestedAt) VALUES (?, ?, ?, ?) ON CONFLICT (purpose, did) DO UPDATE SET token = excluded.token, requestedAt = excluded.requestedAt',
  ).run(purpose, did, token, requestedAt)
}

export function findEmailToken(db: Database, purpose: EmailTokenPurpose, token: string): { did: string; requestedAt: string } | null {
  return db.query<{ did: string; requestedAt: string }, [string, string]>('SELECT did, requestedAt FROM email_token WHERE purpose = ? AND token = ?').get(purpose, token)
}

export function getEmailToken(db: Database, purpose: EmailTokenPurpose, did: string): { token: string; requestedAt: string } | null {
  return db.query<{ token: string; requestedAt: string }, [string, string]>('SELECT token, requestedAt FROM email_token WHERE purpose = ? AND did = ?').get(purpose, did)
}

export function deleteEmailToken(db: Database, purpose: EmailTokenPurpose, did: string) {
  db.query('DELETE FROM email_token WHERE purpose = ? AND did = ?').run(purpose, did)
}

export function deleteAllEmailTokens(db: Database, did: string) {
  db.query('DELETE FROM email_token WHERE did = ?').run(did)
}
