// Limits of the account app's routes that take a secret (password, email code) or send mail. The rules
// doing what an XRPC method does have that method's name and numbers (src/api/_util/accounts.ts RATE),
// so a browser and an API client share one window.
import type { WebLimit } from './context.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const byDid = (name: string, durationMs: number, points: number): WebLimit => ({ name, durationMs, points, per: 'account' })

export const WEB_LIMITS = {
  /** Password guessing: as createSession and the OAuth sign-in (30 per 5 minutes, 300 a day per IP). */
  password: [
    { name: 'web-password-5m', durationMs: 5 * MINUTE, points: 30 },
    { name: 'web-password-day', durationMs: DAY, points: 300 },
  ],
  /** "Send a new code" on the sign-in page's code step (each sends a message): per IP. */
  signInCode: [{ name: 'web-sign-in-code-15m', durationMs: 15 * MINUTE, points: 5 }],
  /** Passkey challenges (kept in memory until used or expired), as the /passkeys routes. */
  passkeyChallenge: [{ name: 'web-passkey-challenge', durationMs: 5 * MINUTE, points: 60 }],
  /** Email codes typed in (confirm, change, reset), as resetPassword. */
  emailCode: [{ name: 'resetPassword', durationMs: 5 * MINUTE, points: 50 }],
  requestPasswordReset: [
    { name: 'requestPasswordReset-day', durationMs: DAY, points: 50 },
    { name: 'requestPasswordReset-hour', durationMs: HOUR, points: 15 },
  ],
  /** Mail sent on behalf of a signed-in account. */
  sendMail: [byDid('web-mail-hour', HOUR, 5), byDid('web-mail-day', DAY, 15)],
  createAppPassword: [byDid('createAppPassword', DAY, 25)],
  updateHandle: [byDid('updateHandle-5m', 5 * MINUTE, 10), byDid('updateHandle-day', DAY, 50)],
  /** "Check now" for an own-domain handle (a DNS and an HTTPS lookup each). */
  handleLookup: [byDid('web-handle-lookup-5m', 5 * MINUTE, 30), byDid('web-handle-lookup-day', DAY, 300)],
  deleteAccount: [{ name: 'deleteAccount', durationMs: 5 * MINUTE, points: 50 }],
  createAccount: [{ name: 'createAccount', durationMs: 5 * MINUTE, points: 100 }],
  /** The sign-up page's live handle check (one call per pause in typing). */
  handleCheck: [{ name: 'web-handle-check', durationMs: 5 * MINUTE, points: 300 }],
  /** Repository downloads, as com.atproto.sync.getRepo. */
  export: [{ name: 'repo-export', durationMs: 5 * MINUTE, points: 6000 }],
} satisfies Record<string, WebLimit[]>
