// The narrow services record handlers receive; the composition root (src/main.ts) builds it once.
import type { Config } from '../config/config.ts'
import type { Logger } from '../logger.ts'
import type { AuthVerifier } from './auth.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { LexiconValidator } from './lexicon-validator.ts'
import type { RepoEventSink } from '../services/events.ts'
import type { AccountService } from '../services/accounts/account-service.ts'
import type { RepoService } from '../services/repo/service.ts'
import type { ProxyService } from '../services/proxy/proxy-service.ts'
import type { OAuthProvider } from '../services/oauth/index.ts'
import type { Breakers } from '../services/net/circuit-breaker.ts'
import type { NotifyService } from '../services/notify/index.ts'
import type { Alert } from '../services/health/index.ts'
import type { Metrics } from '../services/metrics.ts'
import type { ModerationService } from '../services/moderation/index.ts'
import type { InboundMigrations } from '../services/migration/inbound.ts'

export type Services = {
  config: Config
  log: Logger
  lexicons: LexiconValidator
  rateLimiter: RateLimiter
  verifyAuth: AuthVerifier
  /** Accounts, sessions, invites, email tokens, handles (src/services/accounts). */
  accounts: AccountService
  /** The firehose's view of repo and account changes. */
  events: RepoEventSink
  /** Repos, records, blobs and preferences (actor stores). */
  repo: RepoService
  /** The notification queue, channels, a person's preferred channel and its verification (src/services/notify). */
  notify: NotifyService
  /** The account app's "move your account here" wizard runs (src/services/migration/inbound.ts). */
  migrations: InboundMigrations
  /** Forwards calls to the AppView, chat, moderation and atproto-proxy targets (src/services/proxy). */
  proxy: ProxyService
  /** OAuth provider: verifyOAuthAccess(req), revokeAllOAuthSessions(did) (src/services/oauth). */
  oauth?: Pick<OAuthProvider, 'verifyOAuthAccess' | 'revokeAllOAuthSessions' | 'listOAuthSessions' | 'revokeOAuthSession'>
  /** The bundled moderation service and labeler (src/services/moderation); `enabled` once a team account exists. */
  moderation: ModerationService
  /** Circuit breakers of the upstreams (PLC directory, relays), for `pds status`. */
  breakers: Breakers
  /** True while the server's databases answer. */
  isHealthy(): boolean
  /** What needs the operator (stale backup, full disk, failing upstreams…): /xrpc/_health reports degraded (src/services/health). */
  alerts?(): Alert[]
  /** Set when PDS_METRICS_ENABLED: the hooks the edge and services count with (src/services/metrics.ts). */
  metrics?: Metrics
}
