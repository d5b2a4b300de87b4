// Limits of the account app's routes that take a secret (password, email code) or send mail; the same
// numbers as the XRPC methods doing the same thing (src/services/accounts/handler-util.ts RATE).
import type { RateLimitRule } from '../../xrpc/rate-limit.ts'
import { RATE } from '../../services/accounts/handler-util.ts'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const byDid = (name: string, durationMs: number, points: number): RateLimitRule => ({
  name,
  durationMs,
  points,
  calcKey: (ctx) => ('did' in ctx.auth ? (ctx.auth as { did: string }).did : null),
})

export const WEB_LIMITS = {
  /** Password guessing: as createSession and the OAuth sign-in (30 per 5 minutes, 300 a day per IP). */
  password: [
    { name: 'web-password-5m', durationMs: 5 * MINUTE, points: 30 },
    { name: 'web-password-day', durationMs: DAY, points: 300 },
  ],
  /** Email codes typed in (confirm, change, reset, delete). */
  emailCode: RATE.resetPassword,
  requestPasswordReset: RATE.requestPasswordReset,
  /** Mail sent on behalf of a signed-in account. */
  sendMail: [byDid('web-mail-hour', 60 * MINUTE, 5), byDid('web-mail-day', DAY, 15)],
  createAppPassword: RATE.createAppPassword,
  updateHandle: RATE.updateHandle,
  /** "Check now" for an own-domain handle (a DNS and an HTTPS lookup each). */
  handleLookup: [byDid('web-handle-lookup-5m', 5 * MINUTE, 30), byDid('web-handle-lookup-day', DAY, 300)],
  deleteAccount: RATE.deleteAccount,
  createAccount: RATE.createAccount,
  /** The sign-up page's live handle check (one call per pause in typing). */
  handleCheck: [{ name: 'web-handle-check', durationMs: 5 * MINUTE, points: 300 }],
  /** Repository downloads, as com.atproto.sync.getRepo. */
  export: [{ name: 'repo-export', durationMs: 5 * MINUTE, points: 6000 }],
} satisfies Record<string, RateLimitRule[]>
