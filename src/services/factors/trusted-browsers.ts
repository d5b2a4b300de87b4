// Trusted browsers: after a second factor on the web, a browser the person chose to remember skips the
// factor for 30 days, for that account only. The browser holds a random token (how is the edge's
// business: a cookie); only its SHA-256 is stored. Forgotten one by one or all at once, and all of an
// account's at a password change or reset, an operator's reset-2fa and a factor recovery.
import type { Database } from 'bun:sqlite'
import { createHash, randomBytes } from 'node:crypto'
import * as rows from '../../storage/account/trusted-browsers.ts'

export const TRUSTED_BROWSER_DAYS = 30
const TTL_MS = TRUSTED_BROWSER_DAYS * 24 * 60 * 60 * 1000
/** Per account: enough for every browser a person uses; the oldest go first. */
const MAX_PER_ACCOUNT = 20

export type TrustedBrowserView = { id: string; createdAt: number; expiresAt: number; lastUsedAt: number | null; userAgent: string | null }
export type BrowserInfo = { ip: string | null; userAgent: string | null }

export const trustedBrowserId = (token: string) => createHash('sha256').update(token).digest('base64url')

export class TrustedBrowsers {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token for this browser and account (the edge gives it to the browser). */
  remember(did: string, browser: BrowserInfo): { token: string; maxAgeSeconds: number } {
    const token = randomBytes(32).toString('base64url')
    const at = this.now()
    this.db.transaction(() => {
      rows.insertTrustedBrowser(this.db, {
        id: trustedBrowserId(token),
        did,
        createdAt: at,
        expiresAt: at + TTL_MS,
        lastUsedAt: null,
        userAgent: browser.userAgent?.slice(0, 300) ?? null,
        ipAddress: browser.ip,
      })
      rows.pruneTrustedBrowsers(this.db, did, at, MAX_PER_ACCOUNT)
    })()
    return { token, maxAgeSeconds: TTL_MS / 1000 }
  }

  /** Whether one of the browser's tokens is a live trust of `did` (noted as used). */
  isTrusted(did: string, tokens: string[]): boolean {
    const found = rows.findTrustedBrowser(this.db, did, tokens.slice(0, 10).map(trustedBrowserId), this.now())
    if (found) rows.touchTrustedBrowser(this.db, found.id, this.now())
    return !!found
  }

  list(did: string): TrustedBrowserView[] {
    return rows.listTrustedBrowsers(this.db, did, this.now()).map(({ id, createdAt, expiresAt, lastUsedAt, userAgent }) => ({ id, createdAt, expiresAt, lastUsedAt, userAgent }))
  }

  forget(did: string, id: string): boolean {
    return rows.deleteTrustedBrowser(this.db, did, id)
  }

  forgetAll(did: string): number {
    return rows.deleteTrustedBrowsersOf(this.db, did)
  }
}
