// Sessions of the account web app. A session is an opaque secret (the browser keeps it; how is the
// edge's business) whose SHA-256 is the stored id. Knows nothing of cookies or HTTP.
import type { Database } from 'bun:sqlite'
import { createHash, randomBytes } from 'node:crypto'
import * as rows from '../../storage/account/web-sessions.ts'

const DAY = 24 * 60 * 60 * 1000
/** Idle sessions end after this long; each visit pushes the end back (at most once a minute). */
export const WEB_SESSION_IDLE_MS = 14 * DAY
/** Sensitive actions need the password entered within this window (sign-in or re-authentication). */
export const REAUTH_WINDOW_MS = 10 * 60 * 1000

export type Device = { ip: string | null; userAgent: string | null }
export type WebSessionInfo = rows.WebSessionRow
export type WebSession = WebSessionInfo & { recentlyAuthenticated: boolean }

const idOf = (secret: string) => createHash('sha256').update(secret).digest('base64url')

export class WebSessions {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A fresh session for `did` (a new secret on every sign-in); the previous one, if given, ends.
   * `withFactor`: a second factor was given at this sign-in (not a remembered browser).
   */
  start(did: string, device: Device, previousSecret?: string | null, opts: { withFactor?: boolean } = {}): { secret: string; session: WebSession } {
    const secret = randomBytes(32).toString('base64url')
    const at = this.now()
    const row: rows.WebSessionRow = {
      id: idOf(secret),
      did,
      createdAt: at,
      lastSeenAt: at,
      authenticatedAt: at,
      expiresAt: at + WEB_SESSION_IDLE_MS,
      userAgent: device.userAgent?.slice(0, 300) ?? null,
      ipAddress: device.ip,
      factorAt: opts.withFactor ? at : null,
    }
    this.db.transaction(() => {
      if (previousSecret) rows.deleteWebSession(this.db, idOf(previousSecret))
      rows.deleteExpiredWebSessions(this.db, at)
      rows.insertWebSession(this.db, row)
    })()
    return { secret, session: { ...row, recentlyAuthenticated: true } }
  }

  /** The live session behind `secret`, or null; notes the visit. */
  resume(secret: string, device: Device): WebSession | null {
    const row = rows.getWebSession(this.db, idOf(secret))
    const at = this.now()
    if (!row || row.expiresAt <= at) return null
    if (at - row.lastSeenAt > 60_000 || row.ipAddress !== device.ip) {
      rows.touchWebSession(this.db, row.id, at, at + WEB_SESSION_IDLE_MS, device.ip, device.userAgent?.slice(0, 300) ?? null)
    }
    return { ...row, recentlyAuthenticated: at - row.authenticatedAt < REAUTH_WINDOW_MS }
  }

  /** The password was entered again in this session. */
  reauthenticated(sessionId: string) {
    rows.setWebSessionAuthenticated(this.db, sessionId, this.now())
  }

  /** A second factor was given in this session (a step-up). */
  factorGiven(sessionId: string) {
    rows.setWebSessionFactor(this.db, sessionId, this.now())
  }

  list(did: string): rows.WebSessionRow[] {
    return rows.listWebSessions(this.db, did, this.now())
  }

  /** Ends one session of `did` by its id (as listed); false when there is none. */
  end(did: string, sessionId: string): boolean {
    const row = rows.getWebSession(this.db, sessionId)
    return !!row && row.did === did && rows.deleteWebSession(this.db, sessionId)
  }

  endBySecret(secret: string) {
    rows.deleteWebSession(this.db, idOf(secret))
  }

  /** Every session of the account (password change, deactivation, takedown, deletion). */
  endAll(did: string): number {
    return rows.deleteWebSessionsOf(this.db, did)
  }

  endOthers(did: string, keepSessionId: string): number {
    return rows.deleteWebSessionsOf(this.db, did, keepSessionId)
  }
}
