// Second-factor tables of account.sqlite (migrations/account/300_factors.sql): the email factor flag,
// TOTP, backup codes, wrong-code counters and the audit trail.
import type { Database } from 'bun:sqlite'

// Email code at sign-in
// ---------------------

export function getEmailAuthFactor(db: Database, did: string): boolean {
  return db.query<{ emailAuthFactor: number }, [string]>('SELECT emailAuthFactor FROM account WHERE did = ?').get(did)?.emailAuthFactor === 1
}

export function setEmailAuthFactor(db: Database, did: string, on: boolean) {
  db.query('UPDATE account SET emailAuthFactor = ? WHERE did = ?').run(on ? 1 : 0, did)
}

// TOTP
// ----

export type TotpRow = { did: string; secret: string; createdAt: string; confirmedAt: string | null; lastUsedStep: number }

export function getTotp(db: Database, did: string): TotpRow | null {
  return db.query<TotpRow, [string]>('SELECT * FROM totp_factor WHERE did = ?').get(did)
}

/** A new, unconfirmed secret replaces any earlier pending one (a confirmed one is replaced only after disabling). */
export function putPendingTotp(db: Database, did: string, secret: string, createdAt: string) {
  db.query(
    'INSERT INTO totp_factor (did, secret, createdAt) VALUES (?, ?, ?) ON CONFLICT (did) DO UPDATE SET secret = excluded.secret, createdAt = excluded.createdAt, confirmedAt = NULL, lastUsedStep = 0',
  ).run(did, secret, createdAt)
}

export function confirmTotp(db: Database, did: string, confirmedAt: string, step: number) {
  db.query('UPDATE totp_factor SET confirmedAt = ?, lastUsedStep = ? WHERE did = ?').run(confirmedAt, step, did)
}

/** Records a used step only if it is later than the last one: false when the code was already spent. */
export function useTotpStep(db: Database, did: string, step: number): boolean {
  return db.query('UPDATE totp_factor SET lastUsedStep = ? WHERE did = ? AND lastUsedStep < ?').run(step, did, step).changes > 0
}

export function deleteTotp(db: Database, did: string) {
  db.query('DELETE FROM totp_factor WHERE did = ?').run(did)
}

// Backup codes
// ------------

export function replaceBackupCodes(db: Database, did: string, codeHashes: string[]) {
  db.query('DELETE FROM backup_code WHERE did = ?').run(did)
  const insert = db.query('INSERT INTO backup_code (did, codeHash) VALUES (?, ?)')
  for (const hash of codeHashes) insert.run(did, hash)
}

/** Marks an unused code used: false when it does not exist or was used already. */
export function useBackupCode(db: Database, did: string, codeHash: string, at: string): boolean {
  return db.query('UPDATE backup_code SET usedAt = ? WHERE did = ? AND codeHash = ? AND usedAt IS NULL').run(at, did, codeHash).changes > 0
}

export function countUnusedBackupCodes(db: Database, did: string): number {
  return db.query<{ n: number }, [string]>('SELECT count(*) AS n FROM backup_code WHERE did = ? AND usedAt IS NULL').get(did)?.n ?? 0
}

export function deleteBackupCodes(db: Database, did: string) {
  db.query('DELETE FROM backup_code WHERE did = ?').run(did)
}

// Wrong-code counters
// -------------------

export type AttemptRow = { key: string; failures: number; windowStart: number; lockedUntil: number | null }

export function getAttempts(db: Database, key: string): AttemptRow | null {
  return db.query<AttemptRow, [string]>('SELECT * FROM factor_attempt WHERE key = ?').get(key)
}

export function putAttempts(db: Database, row: AttemptRow) {
  db.query(
    'INSERT INTO factor_attempt (key, failures, windowStart, lockedUntil) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, windowStart = excluded.windowStart, lockedUntil = excluded.lockedUntil',
  ).run(row.key, row.failures, row.windowStart, row.lockedUntil)
}

export function clearAttempts(db: Database, key: string) {
  db.query('DELETE FROM factor_attempt WHERE key = ?').run(key)
}

// Audit trail
// -----------

export type FactorAuditRow = { did: string; action: string; actor: string; at: string }

export function addFactorAudit(db: Database, row: FactorAuditRow) {
  db.query('INSERT INTO factor_audit (did, action, actor, at) VALUES (?, ?, ?, ?)').run(row.did, row.action, row.actor, row.at)
}

export function listFactorAudit(db: Database, did: string): FactorAuditRow[] {
  return db.query<FactorAuditRow, [string]>('SELECT did, action, actor, at FROM factor_audit WHERE did = ? ORDER BY id').all(did)
}

// Passkeys
// --------

export type PasskeyRow = { id: string; did: string; name: string; publicKey: Uint8Array; counter: number; transports: string | null; createdAt: string; lastUsedAt: string | null }

export function insertPasskey(db: Database, row: Omit<PasskeyRow, 'lastUsedAt'>) {
  db.query('INSERT INTO passkey (id, did, name, publicKey, counter, transports, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    row.id,
    row.did,
    row.name,
    row.publicKey,
    row.counter,
    row.transports,
    row.createdAt,
  )
}

export function getPasskey(db: Database, id: string): PasskeyRow | null {
  return db.query<PasskeyRow, [string]>('SELECT * FROM passkey WHERE id = ?').get(id)
}

export function listPasskeys(db: Database, did: string): PasskeyRow[] {
  return db.query<PasskeyRow, [string]>('SELECT * FROM passkey WHERE did = ? ORDER BY createdAt').all(did)
}

export function touchPasskey(db: Database, id: string, counter: number, at: string) {
  db.query('UPDATE passkey SET counter = ?, lastUsedAt = ? WHERE id = ?').run(counter, at, id)
}

export function deletePasskey(db: Database, did: string, id: string): boolean {
  return db.query('DELETE FROM passkey WHERE did = ? AND id = ?').run(did, id).changes > 0
}

export function deletePasskeys(db: Database, did: string) {
  db.query('DELETE FROM passkey WHERE did = ?').run(did)
}
