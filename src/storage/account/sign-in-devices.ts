// The devices (hashed IP address and user agent) each account signed in from
// (migrations/account/320_sign_in_devices.sql).
import type { Database } from 'bun:sqlite'

/** Records a sign-in from `deviceHash`; true when the account had never signed in from it. */
export function recordSignInDevice(db: Database, did: string, deviceHash: string, now = new Date().toISOString()): boolean {
  return db.transaction(() => {
    const seen = db.query<{ n: number }, [string, string]>('SELECT 1 AS n FROM sign_in_device WHERE did = ? AND deviceHash = ?').get(did, deviceHash)
    db.query(
      `INSERT INTO sign_in_device (did, deviceHash, firstAt, lastAt) VALUES (?, ?, ?, ?)
       ON CONFLICT (did, deviceHash) DO UPDATE SET lastAt = excluded.lastAt`,
    ).run(did, deviceHash, now, now)
    return !seen
  })()
}

/** Forgets the account's devices not seen since `before` (ISO time): one back after that long is new again. */
export function pruneSignInDevices(db: Database, did: string, before: string) {
  db.query('DELETE FROM sign_in_device WHERE did = ? AND lastAt < ?').run(did, before)
}
