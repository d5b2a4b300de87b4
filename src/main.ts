// Composition root: config → storage → services → the edge (XRPC app, routes, pages). `pds serve` and the tests both start here.
import { Breakers } from './services/net/circuit-breaker.ts'
import type { Database } from 'bun:sqlite'
import { assertStrongSecrets, type Config } from './config/config.ts'
import { createLogger, type Logger } from './logger.ts'
import { isResponsive, openDatabase } from './storage/sqlite.ts'
import { Lexicons } from './core/lexicon/index.ts'
import { lexiconSources } from './generated/lexicons.gen.ts'
import { RateLimiter } from './xrpc/rate-limit.ts'
import { createApp, type Plugin } from './xrpc/app.ts'
import { DEFAULT_JSON_LIMIT } from './xrpc/dispatch.ts'
import { HANDLERS } from './generated/registry.gen.ts'
import type { HandlerDef } from './xrpc/handler.ts'
import type { Services } from './xrpc/services.ts'
import { createSequencerService } from './services/sequencer/index.ts'
import { recoverySource } from './services/sequencer/recovery.ts'
import { markRunning } from './storage/run-marker.ts'
import { lockDataDirectory } from './storage/data-lock.ts'
import { checkBeforeServing, dataDirectoryPaths } from './services/adopt/preflight.ts'
import { buildAccounts, type RepoLifecycle } from './services/accounts/index.ts'
import { createRepoService, type RepoService } from './services/repo/index.ts'
import { buildProxy } from './services/proxy/index.ts'
import { createOAuthProvider } from './services/oauth/index.ts'
import { accountPortFrom } from './services/accounts/oauth-port.ts'
import { VERSION } from './version.ts'
import { tlsCheckPlugin, type HandleLookup } from './xrpc/routes/tls-check.ts'
import { firehosePlugin } from './xrpc/routes/firehose.ts'
import { wellKnownPlugin } from './xrpc/routes/well-known.ts'
import { plcDirectoryRoutes } from './xrpc/routes/plc-directory.ts'
import { oauthRoutes } from './xrpc/routes/oauth/index.ts'
import { accountRoutes } from './xrpc/routes/account.ts'
import { createAuthVerifier } from './xrpc/auth-verifier.ts'
import { oauthVerifier } from './xrpc/oauth-verifier.ts'
import { proxyFallback } from './xrpc/proxy-fallback.ts'
import { factorAdminPlugin } from './xrpc/routes/factor-admin.ts'
import { passkeyRoutes } from './xrpc/routes/passkeys.ts'
import { sessionBody } from './api/_util/accounts.ts'
import { startBackupSchedule } from './services/backup/schedule.ts'
import { buildOperatorConsole, type OperatorConsole } from './services/admin/index.ts'
import { adminConsoleRoutes } from './xrpc/routes/admin.ts'
import { adminAuditPlugin } from './xrpc/routes/admin-audit.ts'
import { APPVIEW_BREAKER, HealthMonitor, RecentDiskSyncs } from './services/health/index.ts'
import { repoCountsFrom, TotalsCache } from './services/health/totals.ts'
import { createPrometheusExporter, type PrometheusExporter } from './xrpc/prometheus.ts'
import { metricsPlugin } from './xrpc/routes/metrics.ts'
import { statusPage } from './web/status/page.tsx'
import { buildModeration } from './services/moderation/build.ts'
import { HostingWatch } from './services/moderation/hosting-watch.ts'
import { updateSubjectStatus } from './api/_util/subject-status.ts'
import { Firehose } from './services/sequencer/firehose.ts'
import { SUBSCRIBE_LABELS_PATH } from './xrpc/routes/firehose.ts'
import { moderationAdminPlugin } from './xrpc/routes/moderation-admin.ts'
import { litestreamDatabases } from './services/backup/litestream.ts'
import { leaveCheckpointsToLitestream } from './storage/wal-checkpointer.ts'
import { observeWalSyncs } from './storage/wal-sync.ts'
import type { SyncedDatabase } from './services/metrics.ts'
import { sep } from 'node:path'
import { InboundMigrations } from './services/migration/inbound.ts'
import { startGcPacer } from './services/gc-pacer.ts'
import { installPrehashedSigner } from './core/crypto/index.ts'
import { nativeSecp256k1 } from './native/secp256k1.ts'

export type RunningServer = {
  url: string
  port: number
  services: Services
  /** Graceful: in-flight requests get the grace period. `{ fast: true }` (also mid-stop) closes them now. */
  stop(opts?: { fast?: boolean }): Promise<void>
}

/** The listen port is taken by another process; never shared (no SO_REUSEPORT). */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly hostname: string,
  ) {
    super(`port ${port} is in use`)
    this.name = 'PortInUseError'
  }
}

export function buildRegistry(handlers: HandlerDef[] = HANDLERS): Map<string, HandlerDef> {
  return new Map(handlers.map((h) => [h.nsid, h]))
}

/** How long a graceful stop waits for in-flight requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000

export async function startServer(
  config: Config,
  opts: { log?: Logger; hostname?: string; shutdownGraceMs?: number } = {},
): Promise<RunningServer> {
  assertStrongSecrets(config)
  const log = opts.log ?? createLogger(config.logLevel)
  // Repo commits signed by libsecp256k1 where it loads (src/native/secp256k1.ts), else by noble.
  installPrehashedSigner('ES256K', nativeSecp256k1)
  // A reference PDS's data directory is served in place; a broken or too new one is refused untouched
  // (checked read-only before the lock file is created).
  const adopted = checkBeforeServing(dataDirectoryPaths(config))
  if (adopted?.kind === 'reference') log.info('adopting a reference PDS data directory in place', { accounts: adopted.accounts, lastSeq: adopted.lastSeq })
  // One server per data directory; refused (naming the holder) before anything is opened.
  const dataLock = lockDataDirectory(config.db.dataDirectory, 'pds serve')
  try {
    return await startLocked(config, opts, log, dataLock.release)
  } catch (err) {
    dataLock.release()
    throw err
  }
}

async function startLocked(
  config: Config,
  opts: { hostname?: string; shutdownGraceMs?: number },
  log: Logger,
  releaseLock: () => void,
): Promise<RunningServer> {
  const databases: Database[] = []
  const litestream = config.db.litestream ? leaveCheckpointsToLitestream(litestreamDatabases(config)) : undefined
  const accountDb = openDatabase(config.db.accountDbLocation, 'account', { synchronous: config.db.synchronous })
  databases.push(accountDb)
  const breakers = new Breakers()
  // prom-client is loaded only when metrics are on; read at scrape time, the sources exist by then.
  const exporter: PrometheusExporter | undefined = config.metrics.enabled
    ? await createPrometheusExporter({
        subscribers: () => firehose.firehose.subscriberCount,
        seq: () => firehose.sequencer.publishedSeq,
        databases: { account: config.db.accountDbLocation, sequencer: config.db.sequencerDbLocation, did_cache: config.db.didCacheDbLocation },
        lastBackup: () => health.lastBackup(),
        activeAlerts: () => health.alerts().map((a) => a.id),
      })
    : undefined
  const metrics = exporter?.metrics
  // The disk's sync times, for the console and the disk-slow alert (recorded once the server listens).
  const diskSyncs = new RecentDiskSyncs()
  const firehose = createSequencerService(config, log, breakers, metrics)
  databases.push(firehose.db)
  // Closures read services.events / services.repo at call time (the repo service may be wired later).
  let operatorConsole: OperatorConsole | undefined
  // Account and repo changes also set the hosting fields of subjects under moderation.
  const hostingWatch = new HostingWatch(() => (services as { moderation?: Services['moderation'] }).moderation?.ctx)
  const accounts = buildAccounts({
    config,
    log,
    accountDb,
    breakers,
    events: () => hostingWatch.around(services.events),
    repo: () => (services as { repo?: RepoLifecycle }).repo,
    onCredentialsRevoked: (did) => {
      services.oauth?.revokeAllOAuthSessions(did)
      operatorConsole?.sessions.endAllOf(did)
    },
    metrics,
  })

  // The AppView's breaker only watches (a failing AppView is an alert, calls still go through).
  const appViewHealth = config.bskyAppView ? breakers.get(APPVIEW_BREAKER, { passive: true, log }) : undefined
  const proxy = buildProxy(() => services, config.proxy, { metrics, appViewHealth })
  const lexicons = new Lexicons(lexiconSources, { lazy: true })
  const services: Services = {
    config,
    log,
    lexicons,
    rateLimiter: new RateLimiter({ ...config.rateLimits, onRefused: metrics?.rateLimited }),
    verifyAuth: createAuthVerifier({ ...accounts.credentials, serviceDid: config.service.did, adminPassword: config.secrets.adminPassword, proxyConfig: { ...config, bundledModeration: () => services.moderation?.teamDid() ?? null } }),
    accounts: accounts.accounts,
    notify: accounts.notify,
    migrations: new InboundMigrations(accountDb, { selfUrl: `http://127.0.0.1:${config.service.port}`, devMode: config.service.devMode, log, adminPassword: config.secrets.adminPassword, plcUrl: config.identity.plcUrl }),
    events: firehose.sequencer,
    proxy,
    repo: undefined as unknown as RepoService, // set below: it reads lexicons/events/accounts from services
    moderation: undefined as unknown as Services['moderation'], // set below: it uses repo and accounts
    breakers,
    isHealthy: () => isResponsive(accountDb),
    alerts: () => health.alerts(),
    metrics,
  }
  const health = new HealthMonitor({
    config,
    firehose: firehose.sequencer,
    breakers,
    notifyBreakers: () => services.notify.status().breakers,
    diskSyncs: () => diskSyncs.summary(),
  })
  services.repo = createRepoService(config, log, {
    lexicons,
    get events() {
      return hostingWatch.around(services.events)
    },
    get accounts() {
      return services.accounts
    },
  }, { journal: firehose.journal, metrics })
  // The bundled moderation service; its takedowns of our own subjects take the admin API's path.
  services.moderation = buildModeration(config, log, { accounts: services.accounts, repo: services.repo, applySubjectStatus: (input) => updateSubjectStatus(services, input as Parameters<typeof updateSubjectStatus>[1]) })
  databases.push(services.moderation.db)
  const labelStream = new Firehose(services.moderation.labeler, { maxBuffer: config.subscription.maxBuffer, backfillLimitMs: 100 * 365 * 24 * 3600_000 }) // labels are kept for good
  // Before listening: repos committed but not sequenced (a crash in between) get a #sync event.
  // Only the repos marked dirty are checked, unless the marks cannot be trusted (see run-marker.ts).
  const runMarker = markRunning(config.db.dataDirectory)
  firehose.journal.onMarkFailed = () => runMarker.requireFullCheck()
  firehose.recover((only) => recoverySource(services, { verifyHeads: true, only }), runMarker.previousRun === 'unknown' ? 'all' : 'dirty')
  // OAuth provider: its routes, and DPoP-bound OAuth tokens accepted by verifyAuth.
  const oauthAccounts = accountPortFrom(() => services.accounts)
  const oauth = createOAuthProvider({ config, log, accountDb, accounts: oauthAccounts, lexicons })
  services.verifyAuth = oauthVerifier(services.verifyAuth, oauth, oauthAccounts, { ...config, bundledModeration: () => services.moderation.teamDid() })
  services.oauth = oauth
  const trustedProxies = config.rateLimits.trustedProxies
  const plugins: Plugin[] = [firehosePlugin(firehose.firehose, { trustedProxies }), wellKnownPlugin(accounts.accounts)]
  plugins.push(firehosePlugin(labelStream, { trustedProxies, path: SUBSCRIBE_LABELS_PATH }))
  if (accounts.plcDirectory) plugins.push(plcDirectoryRoutes(accounts.plcDirectory))
  plugins.push(oauthRoutes({ ctx: oauth.ctx, rateLimiter: services.rateLimiter, trustedProxies }))
  plugins.push(accountRoutes(services))
  plugins.push(
    tlsCheckPlugin({
      hostname: config.service.hostname,
      handleDomains: config.identity.serviceHandleDomains,
      accounts: () => (services as { accounts?: HandleLookup }).accounts,
    }),
  )
  // The operator's console (/admin), its audit log (also `pds audit`, via /_admin/audit).
  operatorConsole = buildOperatorConsole({
    accountDb,
    accounts: accounts.accounts,
    storeLocation: (did) => services.repo.actors.location(did).dbLocation,
    moderation: services.moderation,
    overview: {
      config,
      version: config.service.version ?? VERSION,
      startedAt: Date.now(),
      repoTotals: () => totals.repoTotals(),
      firehose: {
        headSeq: () => firehose.sequencer.publishedSeq,
        subscribers: () => firehose.firehose.subscriberCount,
        connections: () => firehose.firehose.connections(),
        lastConnectedAt: (ip) => firehose.firehose.lastConnectedAt(ip),
      },
      relays: () => firehose.crawlers.status(),
      recentErrors: () => log.recentErrors?.() ?? [],
      alerts: () => health.alerts(),
      diskSyncs: () => diskSyncs.summary(),
    },
  })
  plugins.push(adminConsoleRoutes({ config, log, accounts: accounts.accounts, repo: services.repo, console: operatorConsole }, services.rateLimiter))
  plugins.push(adminAuditPlugin({ adminPassword: config.secrets.adminPassword, audit: operatorConsole.audit }))
  plugins.push(factorAdminPlugin({ adminPassword: config.secrets.adminPassword, accounts: () => services.accounts, audit: operatorConsole.audit, trustedProxies }))
  plugins.push(passkeyRoutes(() => services, sessionBody))
  if (exporter) plugins.push(metricsPlugin(exporter, { token: config.metrics.token }))
  plugins.push(moderationAdminPlugin({ adminPassword: config.secrets.adminPassword, moderation: () => services.moderation }))
  const version = config.service.version ?? VERSION
  // The largest body any method takes (blobs, repo imports); longer declared bodies get a JSON 413.
  const maxRequestBytes = Math.max(config.service.blobUploadLimit, config.service.maxImportSize, DEFAULT_JSON_LIMIT)
  const totals = new TotalsCache({
    listAccounts: (cursor, limit) => services.accounts.listAccounts(cursor, limit),
    countsOf: (did) => repoCountsFrom(services.repo)(did),
    seq: () => firehose.sequencer.publishedSeq,
  })
  const statusInfo = {
    hostname: config.service.hostname,
    serviceName: config.service.serviceName,
    version,
    handleDomains: config.identity.serviceHandleDomains,
    contactEmail: config.service.contactEmailAddress,
    links: [
      { label: 'Home', href: config.service.homeUrl },
      { label: 'Support', href: config.service.supportUrl },
      { label: 'Terms of service', href: config.service.termsOfServiceUrl },
      { label: 'Privacy policy', href: config.service.privacyPolicyUrl },
    ].filter((l): l is { label: string; href: string } => !!l.href),
  }
  const app = createApp({
    services,
    registry: buildRegistry(),
    version,
    plugins,
    fallback: proxyFallback(proxy, (kind, req) => services.verifyAuth(kind, req)),
    maxRequestBytes,
    statusPage: async () => statusPage(statusInfo, await totals.get()),
  })
  // The development setup (generated secrets, a local PLC) is reachable from this machine only.
  const hostname = opts.hostname ?? (config.service.devMode ? '127.0.0.1' : '0.0.0.0')
  try {
    // Elysia defaults to reusePort, which lets a second server silently share the port. Bun's own body
    // limit would answer an empty 413 before any handler (src/xrpc/body-limit.ts refuses instead).
    app.listen({ port: config.service.port, hostname, reusePort: false, maxRequestBodySize: Number.MAX_SAFE_INTEGER })
  } catch (err) {
    firehose.close()
    labelStream.close()
    accounts.close()
    services.repo.close()
    for (const db of databases) db.close()
    runMarker.clear()
    if ((err as { code?: string }).code === 'EADDRINUSE') throw new PortInUseError(config.service.port, hostname)
    throw err
  }
  const port = app.server!.port!
  // Each WAL sync of ours from now on: into the recent figures, and /metrics when on. Registered once
  // listening, so a start-up that fails earlier leaves no observer behind.
  const stopObservingSyncs = observeWalSyncs((path, seconds) => {
    const database = syncedDatabase(config, path)
    if (!database) return
    diskSyncs.record(seconds)
    metrics?.storageSync(database, seconds)
  })
  const backups = startBackupSchedule(config, log)
  services.moderation.start()
  log.info('pds listening', { port, publicUrl: config.service.publicUrl, version })
  // Startup's garbage (migrations, route compilation) otherwise stays resident until allocation
  // pressure collects it, which an idle server never has: ~10 MB RSS given back; and the code only
  // start-up ran, compiled for nothing from now on (Bun.shrink, see gc-pacer.ts): ~1.5 MB more.
  setTimeout(() => Bun.shrink(), 500).unref()
  // Garbage of bursts of work (writes, exports) is not left resident (src/services/gc-pacer.ts).
  const gcPacer = startGcPacer()

  let stopping: Promise<void> | undefined
  let hurry: () => void = () => {}
  const hurried = new Promise<'fast'>((resolve) => (hurry = () => resolve('fast')))
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    services,
    stop: (stopOpts = {}) => {
      if (stopOpts.fast) hurry()
      return (stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish, then close the databases.
        backups?.stop()
        gcPacer.stop()
        firehose.close()
        labelStream.close()
        await services.moderation.stop()
        // A client that stalls mid-request must not hold the shutdown forever.
        const graceful = app.server?.stop(false)
        const ended = await Promise.race([
          graceful?.then(() => 'done' as const),
          Bun.sleep(opts.shutdownGraceMs ?? SHUTDOWN_GRACE_MS).then(() => 'timeout' as const),
          hurried,
        ])
        if (ended !== 'done') {
          if (ended === 'timeout') log.warn('requests still in flight after the shutdown grace period; closing their connections')
          await app.server?.stop(true)
        }
        accounts.close()
        services.repo.close()
        for (const db of databases) db.close()
        stopObservingSyncs()
        litestream?.()
        runMarker.clear()
        releaseLock()
        log.info('pds stopped')
      })())
    },
  }
}

/** Which of this server's group-committed databases a WAL sync was for (undefined: another's, in tests). */
function syncedDatabase(config: Config, path: string): SyncedDatabase | undefined {
  if (path === config.db.sequencerDbLocation) return 'sequencer'
  if (path.startsWith(config.db.actorStoreDirectory + sep)) return 'repo'
  return undefined
}
