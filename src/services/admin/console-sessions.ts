// Browser sessions of the operator's console. As the account app's: an opaque secret whose SHA-256 is
// stored; shorter lived (an operator's session is worth more). Knows nothing of cookies or HTTP.
import type { Database } from 'bun:sqlite'
import { createHash, randomBytes } from 'node:crypto'
import * as rows from '../../storage/account/admin-console.ts'

/** Idle console sessions end after this long; each visit pushes the end back (at most once a minute). */
export const CONSOLE_SESSION_IDLE_MS = 8 * 60 * 60 * 1000

export type ConsoleSession = rows.AdminSessionRow

const idOf = (secret: string) => createHash('sha256').update(secret).digest('base64url')

export class ConsoleSessions {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh session for `actor` ('admin' or a DID); the previous one of this browser, if given, ends. */
  start(actor: string, device: { ip: string | null; userAgent: string | null }, previousSecret?: string | null): { secret: string; session: ConsoleSession } {
    const secret = randomBytes(32).toString('base64url')
    const at = this.now()
    const row: ConsoleSession = {
      id: idOf(secret),
      actor,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: at + CONSOLE_SESSION_IDLE_MS,
      userAgent: device.userAgent?.slice(0, 300) ?? null,
      ipAddress: device.ip,
    }
    this.db.transaction(() => {
      if (previousSecret) rows.deleteAdminSession(this.db, idOf(previousSecret))
      rows.deleteExpiredAdminSessions(this.db, at)
      rows.insertAdminSession(this.db, row)
    })()
    return { secret, session: row }
  }

  /** The live session behind `secret`, or null; notes the visit. */
  resume(secret: string, ip: string | null): ConsoleSession | null {
    const row = rows.getAdminSession(this.db, idOf(secret))
    const at = this.now()
    if (!row || row.expiresAt <= at) return null
    if (at - row.lastSeenAt > 60_000 || row.ipAddress !== ip) rows.touchAdminSession(this.db, row.id, at, at + CONSOLE_SESSION_IDLE_MS, ip)
    return row
  }

  end(secret: string) {
    rows.deleteAdminSession(this.db, idOf(secret))
  }

  /** Every console session of an account (its password changed, it was taken down or deleted). */
  endAllOf(actor: string): number {
    return rows.deleteAdminSessionsOf(this.db, actor)
  }
}
