// CSRF tokens: an HMAC of a value the browser holds only as an HttpOnly cookie (the session secret, or
// a pre-session cookie on signed-out forms). Another site can make the browser send the cookie but
// cannot read the page that carries the token. Forms are also refused when their Origin is foreign.
import { createHmac, timingSafeEqual } from 'node:crypto'

export function csrfToken(key: string, binding: string): string {
  return createHmac('sha256', key).update(`csrf:${binding}`).digest('base64url')
}

export function csrfMatches(key: string, binding: string, given: string | null | undefined): boolean {
  if (!given) return false
  const a = Buffer.from(csrfToken(key, binding))
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
