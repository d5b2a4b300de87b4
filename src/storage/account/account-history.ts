// account_history, account_ip and account_browser (migrations/account/430_account_history.sql): an
// account's past as moderators see it (not account_device: that name is the reference's OAuth table). Rows are written by triggers; this module only reads them.
import type { Database } from 'bun:sqlite'

export type AccountHistoryRow = {
  id: number
  did: string
  event: string
  handle: string | null
  email: string | null
  detail: string | null
  at: string
  /** The operator who made the change in the console ('admin' or a DID), from admin_audit. */
  auditActor: string | null
}

// The console's audit action for each event, to name who made a change (audited just after it).
const AUDIT_ACTION = `CASE h.event WHEN 'emailUpdated' THEN 'change-email' WHEN 'passwordUpdated' THEN 'reset-password'
  WHEN 'handleUpdated' THEN 'change-handle' WHEN 'accountDeactivated' THEN 'deactivate' WHEN 'accountReactivated' THEN 'activate'
  WHEN 'accountTakendown' THEN 'takedown' WHEN 'takedownReversed' THEN 'reverse-takedown' WHEN 'accountDeleted' THEN 'delete-account' END`

export function listAccountHistory(db: Database, q: { did: string; events?: string[]; before?: number; limit: number }): AccountHistoryRow[] {
  const where = ['h.did = ?']
  const args: Array<string | number> = [q.did]
  if (q.events?.length) (where.push(`h.event IN (${q.events.map(() => '?').join(', ')})`), args.push(...q.events))
  if (q.before !== undefined) (where.push('h.id < ?'), args.push(q.before))
  return db
    .query<AccountHistoryRow, any[]>(
      `SELECT h.*, (SELECT a.actor FROM admin_audit a WHERE a.subject = h.did AND a.action = ${AUDIT_ACTION}
         AND a.at BETWEEN strftime('%Y-%m-%dT%H:%M:%fZ', h.at, '-1 seconds') AND strftime('%Y-%m-%dT%H:%M:%fZ', h.at, '+10 seconds')
         ORDER BY a.id LIMIT 1) AS auditActor
       FROM account_history h WHERE ${where.join(' AND ')} ORDER BY h.id DESC LIMIT +?`,
    )
    .all(...args, q.limit)
}

const EMAIL_DOMAIN = `lower(substr(email, instr(email, '@') + 1))`

/** `device` values are OAuth device ids, which callers must not show as they are. */
export type Signature = { property: 'ip' | 'emailDomain' | 'device'; value: string }

/** The signatures of one account: the addresses its sessions came from, its email's domain, its browsers. */
export function signaturesOf(db: Database, did: string): Signature[] {
  return db
    .query<Signature, [string, string, string]>(
      `SELECT 'ip' AS property, ip AS value FROM account_ip WHERE did = ?
       UNION ALL SELECT 'emailDomain', ${EMAIL_DOMAIN} FROM account WHERE did = ? AND instr(email, '@') > 0
       UNION ALL SELECT 'device', deviceId FROM account_browser WHERE did = ?`,
    )
    .all(did, did, did)
}

/** Every browser any account signed in with (to find one by its derived value). */
export const allDeviceIds = (db: Database) => db.query<{ deviceId: string }, []>('SELECT DISTINCT deviceId FROM account_browser').all().map((r) => r.deviceId)

/** Accounts (not `except`) with any of the signatures, with the ones each matched. */
export function accountsWithSignatures(db: Database, sigs: Signature[], except?: string): Array<{ did: string } & Signature> {
  const ips = sigs.filter((s) => s.property === 'ip').map((s) => s.value)
  const domains = sigs.filter((s) => s.property === 'emailDomain').map((s) => s.value.toLowerCase())
  const devices = sigs.filter((s) => s.property === 'device').map((s) => s.value)
  const marks = (n: number) => Array(n).fill('?').join(', ')
  return db
    .query<{ did: string } & Signature, string[]>(
      `SELECT did, 'ip' AS property, ip AS value FROM account_ip WHERE ip IN (${marks(ips.length)}) AND did != ?
       UNION ALL SELECT did, 'emailDomain', ${EMAIL_DOMAIN} FROM account WHERE ${EMAIL_DOMAIN} IN (${marks(domains.length)}) AND did != ?
       UNION ALL SELECT did, 'device', deviceId FROM account_browser WHERE deviceId IN (${marks(devices.length)}) AND did != ?
       ORDER BY did, property, value`,
    )
    .all(...ips, except ?? '', ...domains, except ?? '', ...devices, except ?? '')
}
