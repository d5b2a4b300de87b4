// Limits of the console's routes that take a secret: fewer tries than an account's sign-in (the admin
// password opens everything), per client IP.
import type { WebLimit } from '../account/context.ts'

const MINUTE = 60_000

export const ADMIN_LIMITS = {
  signIn: [
    { name: 'admin-sign-in-5m', durationMs: 5 * MINUTE, points: 10 },
    { name: 'admin-sign-in-day', durationMs: 24 * 60 * MINUTE, points: 100 },
  ],
  /** Mail sent to an account from the console. */
  sendMail: [{ name: 'admin-send-mail-hour', durationMs: 60 * MINUTE, points: 60 }],
} satisfies Record<string, WebLimit[]>
