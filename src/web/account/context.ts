// What every account-app page receives: the request, who is signed in (if anyone), the CSRF token for
// its forms, the posted form, and the services. Pages call services; they never touch storage.
import type { AccountView } from '../../services/accounts/account-manager.ts'
import type { Device, WebSession } from '../../services/accounts/web-sessions.ts'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import type { AccountService } from '../../services/accounts/account-service.ts'
import type { OAuthProvider } from '../../services/oauth/index.ts'
import type { RepoService } from '../../services/repo/service.ts'
import type { NotifyService } from '../../services/notify/index.ts'
import type { ModerationService } from '../../services/moderation/index.ts'
import type { InboundMigrations } from '../../services/migration/inbound.ts'

export const BASE = '/account'
export const SIGN_IN_PATH = `${BASE}/sign-in`
export const REAUTH_PATH = `${BASE}/confirm-password`

/** The services the pages call (the same ones the XRPC methods use). */
export type AccountAppServices = {
  config: Config
  log: Logger
  accounts: AccountService
  repo: RepoService
  notify: NotifyService
  migrations: InboundMigrations
  oauth?: Pick<OAuthProvider, 'listOAuthSessions' | 'revokeOAuthSession' | 'revokeAllOAuthSessions'>
  /** The moderation console (src/web/mod) under /account/mod. */
  moderation?: ModerationService
}

/** A rate-limit window of a route, counted per client IP or per signed-in account. */
export type WebLimit = { name: string; durationMs: number; points: number; per?: 'ip' | 'account' }

export type AccountApp = {
  services: AccountAppServices
  /** Counts a call against the server's rate limiter; throws PageProblem (429) when a window is full. */
  limit(limits: WebLimit[], req: Request, ip: string, did: string | null): void
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
  /** The files of an upload form (routes with `upload`). */
  files: Map<string, Uint8Array>
}

export type SignedIn = WebRequest & { session: WebSession; account: AccountView }

/** A place to go back to after signing in: only our own pages. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith(BASE) || next.startsWith('//') || /[\\\r\n]/.test(next)) return BASE
  return next
}
