// Builds the accounts side of the server: AccountService (services.accounts), what the edge's auth
// verifier checks tokens against, the PLC client (and the dev PLC directory), DID resolution and mail.
import type { Breakers } from '../net/circuit-breaker.ts'
import type { Metrics } from '../metrics.ts'
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import { DidCache } from '../../storage/did-cache.ts'
import type { AccountStatusRow } from '../../storage/account/actors.ts'
import { Secp256k1Keypair } from '../../core/crypto/index.ts'
import { authRequired } from '../errors.ts'
import type { RepoEventSink } from '../events.ts'
import { PlcClient } from '../identity/plc-client.ts'
import { PlcDirectory } from '../identity/plc-directory.ts'
import { DidResolver } from '../identity/did-resolver.ts'
import { getSigningKey } from '../../core/did-doc.ts'
import { resolveHandleRemote } from '../identity/handle-resolver.ts'
import type { Mailer } from '../mail/mailer.ts'
import { buildNotify, type NotifyService } from '../notify/index.ts'
import { AccountManager } from './account-manager.ts'
import { KeyFileRepo, type RepoLifecycle } from './repo-port.ts'
import { AccountService } from './account-service.ts'
import type { AccountsContext } from './context.ts'
import type { TokenKey } from '../auth/tokens.ts'
import { keyFilesFor } from '../repo/keys.ts'
import { isHostedDidWeb, publishableDidWebDocument } from './did-web.ts'

export { AccountService }
export type { RepoLifecycle }

/** What the edge's auth verifier checks credentials against. */
export type CredentialSource = {
  key: TokenKey
  /** Account state for status checks (includes deactivated and taken-down accounts); null: no such account. */
  getAccountStatus(did: string): AccountStatusRow | null
  /** The did:key an issuer signs service JWTs with. */
  signingKeyOf(iss: string, forceRefresh: boolean): Promise<string>
}

export type AccountsBuild = {
  accounts: AccountService
  notify: NotifyService
  credentials: CredentialSource
  /** The local PLC directory (PDS_DEV_LOCAL_PLC), served under /_plc by the edge. */
  plcDirectory?: PlcDirectory
  close(): void
}

export function buildAccounts(opts: {
  config: Config
  log: Logger
  accountDb: Database
  /** Circuit breakers shown by `pds status` (the PLC directory's here). */
  breakers?: Breakers
  events: () => RepoEventSink
  /** services.repo once the REPO helper wires it; undefined falls back to KeyFileRepo. */
  repo: () => RepoLifecycle | undefined
  /** Replaces the email channel's transport (SMTP or the log). */
  mailer?: Mailer
  /** Password change/reset, deactivation, takedown, deletion: ends sessions kept elsewhere (OAuth). */
  onCredentialsRevoked?: (did: string) => void
  /** Counts sign-ins (src/services/metrics.ts). */
  metrics?: Pick<Metrics, 'login'>
}): AccountsBuild {
  const { config, log } = opts
  const manager = new AccountManager(opts.accountDb, config.service.did, config.secrets.jwtSecret)
  manager.onCredentialsRevoked = (did) => {
    accounts.webSessions.endAll(did)
    accounts.factors.trustedBrowsers.forgetAll(did)
    opts.onCredentialsRevoked?.(did)
  }
  if (opts.metrics) manager.onLogin = opts.metrics.login
  manager.onRefreshTokenReuse = (did, revoked) => log.warn('a refresh token came back after its grace window: its session family was revoked', { did, revoked })
  const didCache = DidCache.open(config.db.didCacheDbLocation)
  const plc = new PlcClient(config.identity.plcUrl, config.identity.resolverTimeout * 3, opts.breakers?.get('plc directory', { log }))
  const didResolver = new DidResolver(plc, didCache, {
    staleTTL: config.identity.cacheStaleTTL,
    maxTTL: config.identity.cacheMaxTTL,
    timeoutMs: config.identity.resolverTimeout,
    devMode: config.service.devMode,
    local: (did) => (isHostedDidWeb(did, config.identity.serviceHandleDomains) ? publishableDidWebDocument(ctx, did) : null),
  })
  const fallbackRepo = new KeyFileRepo(config.db.actorStoreDirectory, keyFilesFor(config))
  const notify = buildNotify({ config, log, db: opts.accountDb, mailer: opts.mailer })
  const ctx: AccountsContext = {
    manager,
    config,
    log,
    events: opts.events,
    repo: () => opts.repo() ?? fallbackRepo,
    plc,
    didResolver,
    mailer: notify.mailer(),
    notify,
    plcRotationKey: Secp256k1Keypair.import(config.secrets.plcRotationKeyHex),
    resolveHandleRemote: (handle) => resolveHandleRemote(handle, config.identity.resolverTimeout, config.identity.handleBackupNameservers),
  }
  const accounts = new AccountService(ctx)
  const credentials: CredentialSource = {
    key: manager.key,
    getAccountStatus: (did) => manager.getAccountStatus(did),
    signingKeyOf: async (iss, forceRefresh) => {
      const did = iss.split('#')[0]!
      const doc = await didResolver.resolve(did, forceRefresh).catch(() => null)
      if (!doc) throw authRequired('could not resolve iss did')
      const key = getSigningKey(doc)
      if (!key) throw authRequired('missing or bad key in did doc')
      return key
    },
  }
  const directory = config.identity.localPlc ? new PlcDirectory(join(config.db.dataDirectory, 'plc.sqlite')) : undefined
  notify.start()
  return {
    accounts,
    notify,
    credentials,
    plcDirectory: directory,
    close() {
      manager.writeRepoRoots()
      directory?.close()
      didCache.close()
      notify.close()
    },
  }
}
