// What every console page receives: the request, the operator signed in (if anyone), the CSRF token for
// its forms, the posted form, and the services. Pages call services; they never touch storage.
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import type { AccountService } from '../../services/accounts/account-service.ts'
import type { RepoService } from '../../services/repo/service.ts'
import type { OperatorConsole, Operator } from '../../services/admin/index.ts'
import type { Acting } from '../../services/admin/actions.ts'
import type { WebLimit } from '../account/context.ts'

export const ADMIN_BASE = '/admin'
export const ADMIN_SIGN_IN = `${ADMIN_BASE}/sign-in`

export type AdminAppServices = {
  config: Config
  log: Logger
  accounts: AccountService
  repo: Pick<RepoService, 'stats'>
  console: OperatorConsole
}

export type AdminApp = {
  services: AdminAppServices
  /** Counts a call against the server's rate limiter; throws PageProblem (429) when a window is full. */
  limit(limits: WebLimit[], req: Request, ip: string, did: string | null): void
  csrfKey: string
  secureCookies: boolean
  origins: string[]
  devMode: boolean
}

export type AdminRequest = {
  app: AdminApp
  req: Request
  url: URL
  ip: string
  userAgent: string | null
  /** The operator of a live console session, on signed-in routes (checked by the router). */
  operator: Operator | null
  /** The session's secret (the cookie), to rotate it on sign-in. */
  secret: string | null
  csrf: string
  cookies: string[]
  form: URLSearchParams
}

export type SignedInAdmin = AdminRequest & { operator: Operator }

/** Who acts and from where: what every audited action is given. */
export const acting = (r: SignedInAdmin): Acting => ({ by: r.operator, ip: r.ip })

/** Where to go back to after signing in: only the console's own pages. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith(ADMIN_BASE) || next.startsWith('//') || /[\\\r\n]/.test(next)) return ADMIN_BASE
  return next
}

export const operatorName = (o: Operator) => (o.kind === 'admin' ? 'admin' : `@${o.handle}`)
