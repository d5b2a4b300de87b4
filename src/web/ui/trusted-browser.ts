// The trusted-browser cookie shared by the account app's and the OAuth sign-in pages (hence Path=/):
// the tokens of the accounts that chose "remember this browser" here, newest first, dot-separated.
// The server keeps only their hashes (src/services/factors/trusted-browsers.ts).
import { readCookies, setCookie } from './cookies.ts'

export const TRUSTED_COOKIE = 'pds_trusted'
export const REMEMBER_BROWSER_FIELD = 'remember_browser'
const MAX_TOKENS = 5
const TOKEN = /^[A-Za-z0-9_-]{43}$/

export function trustedTokens(req: Request): string[] {
  return (readCookies(req).get(TRUSTED_COOKIE) ?? '')
    .split('.')
    .filter((t) => TOKEN.test(t))
    .slice(0, MAX_TOKENS)
}

/** The cookie with `token` added in front of the browser's others. */
export function trustCookie(req: Request, token: string, maxAgeSeconds: number, secure: boolean): string {
  const tokens = [token, ...trustedTokens(req).filter((t) => t !== token)].slice(0, MAX_TOKENS)
  return setCookie(TRUSTED_COOKIE, tokens.join('.'), { path: '/', secure, maxAgeSeconds })
}
