// Builds the accounts side of the server: AccountService (services.accounts), the real verifyAuth,
// the PLC client/directory, DID resolution and mail, plus the HTTP routes they own.
import type { Breakers } from '../net/circuit-breaker.ts'
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import { DidCache } from '../../storage/did-cache.ts'
import { Secp256k1Keypair } from '../../core/crypto/index.ts'
import type { AuthVerifier } from '../../xrpc/auth.ts'
import type { Plugin } from '../../xrpc/app.ts'
import { AuthRequiredError } from '../../xrpc/errors.ts'
import type { RepoEventSink } from '../events.ts'
import { createAuthVerifier } from '../auth/verifier.ts'
import { PlcClient } from '../identity/plc-client.ts'
import { PlcDirectory, plcDirectoryPlugin } from '../identity/plc-directory.ts'
import { DidResolver } from '../identity/did-resolver.ts'
import { getSigningKey } from '../../core/did-doc.ts'
import { resolveHandleRemote } from '../identity/handle-resolver.ts'
import { LogMailer, SmtpMailer, type Mailer } from '../mail/mailer.ts'
import { AccountManager } from './account-manager.ts'
import { KeyFileRepo, type RepoLifecycle } from './repo-port.ts'
import { AccountService } from './account-service.ts'
import type { AccountsContext } from './context.ts'
import { wellKnownPlugin } from './well-known.ts'
import { keyFilesFor } from '../repo/keys.ts'

export { AccountService }
export type { RepoLifecycle }

export type AccountsBuild = {
  accounts: AccountService
  verifyAuth: AuthVerifier
  plugins: Plugin[]
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
  mailer?: Mailer
  /** Password change/reset, deactivation, takedown, deletion: ends sessions kept elsewhere (OAuth). */
  onCredentialsRevoked?: (did: string) => void
}): AccountsBuild {
  const { config, log } = opts
  const manager = new AccountManager(opts.accountDb, config.service.did, config.secrets.jwtSecret)
  manager.onCredentialsRevoked = opts.onCredentialsRevoked
  const didCache = DidCache.open(config.db.didCacheDbLocation)
  const plc = new PlcClient(config.identity.plcUrl, config.identity.resolverTimeout * 3, opts.breakers?.get('plc directory', { log }))
  const didResolver = new DidResolver(plc, didCache, {
    staleTTL: config.identity.cacheStaleTTL,
    maxTTL: config.identity.cacheMaxTTL,
    timeoutMs: config.identity.resolverTimeout,
    devMode: config.service.devMode,
  })
  const fallbackRepo = new KeyFileRepo(config.db.actorStoreDirectory, keyFilesFor(config))
  const mailer: Mailer = opts.mailer ?? (config.email ? new SmtpMailer(config.email.smtpUrl, config.email.fromAddress) : new LogMailer(log))
  const ctx: AccountsContext = {
    manager,
    config,
    log,
    events: opts.events,
    repo: () => opts.repo() ?? fallbackRepo,
    plc,
    didResolver,
    mailer,
    plcRotationKey: Secp256k1Keypair.import(config.secrets.plcRotationKeyHex),
    resolveHandleRemote: (handle) => resolveHandleRemote(handle, config.identity.resolverTimeout),
  }
  const accounts = new AccountService(ctx)
  const verifyAuth = createAuthVerifier({
    key: manager.key,
    serviceDid: config.service.did,
    adminPassword: config.secrets.adminPassword,
    getAccount: (did) => manager.getAccount(did, { includeDeactivated: true, includeTakenDown: true }),
    signingKeyOf: async (iss, forceRefresh) => {
      const did = iss.split('#')[0]!
      const doc = await didResolver.resolve(did, forceRefresh).catch(() => null)
      if (!doc) throw AuthRequiredError('could not resolve iss did')
      const key = getSigningKey(doc)
      if (!key) throw AuthRequiredError('missing or bad key in did doc')
      return key
    },
  })
  const plugins: Plugin[] = [wellKnownPlugin(accounts)]
  let directory: PlcDirectory | undefined
  if (config.identity.localPlc) {
    directory = new PlcDirectory(join(config.db.dataDirectory, 'plc.sqlite'))
    plugins.push(plcDirectoryPlugin(directory) as Plugin)
  }
  return {
    accounts,
    verifyAuth,
    plugins,
    close() {
      directory?.close()
      didCache.close()
      mailer.close?.()
    },
  }
}
