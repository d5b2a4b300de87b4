// What every account-app page receives: the request, who is signed in (if anyone), the CSRF token for
// its forms, the posted form, and the services. Pages call services; they never touch storage.
import type { AccountView } from '../../services/accounts/account-manager.ts'
import type { Device, WebSession } from '../../services/accounts/web-sessions.ts'
import type { Services } from '../../services/types.ts'

export const BASE = '/account'
export const SIGN_IN_PATH = `${BASE}/sign-in`
export const REAUTH_PATH = `${BASE}/confirm-password`

export type AccountApp = {
  services: Services
  /** Key for CSRF tokens (derived from the server's secret). */
  csrfKey: string
  /** Cookies carry Secure unless the server is a local http dev server. */
  secureCookies: boolean
  /** Origins our own forms are posted from. */
  origins: string[]
  /** A dev server also accepts forms from the origin it was reached at (127.0.0.1 vs localhost). */
  devMode: boolean
}

export type WebRequest = {
  app: AccountApp
  req: Request
  url: URL
  ip: string
  device: Device
  /** The session and its account, on signed-in routes (checked by the router). */
  session: WebSession | null
  account: AccountView | null
  /** The session's secret (the cookie), to rotate it on sign-in. */
  secret: string | null
  csrf: string
  /** Cookies to set on the answer (a new pre-session cookie). */
  cookies: string[]
  form: URLSearchParams
}

export type SignedIn = WebRequest & { session: WebSession; account: AccountView }

/** A place to go back to after signing in: only our own pages. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith(BASE) || next.startsWith('//') || /[\\\r\n]/.test(next)) return BASE
  return next
}
