// One typed configuration object, built from the reference PDS's environment variable names.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { KeySealer, KeySealError, parseKeyEncryptionKey } from '../core/crypto/key-seal.ts'
import { MIN_SECRET_LENGTH, weakSecretProblem } from './secret-strength.ts'
import { parseS3Url } from './s3-url.ts'
import type { RawEnv } from './env.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable}: ${problem}`)
    this.name = 'ConfigError'
  }
}

const str = z.string().min(1)
const bool = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
const int = z
  .string()
  .regex(/^\d+$/, 'must be a non-negative integer')
  .transform(Number)
const port = int.pipe(z.number().int().min(0).max(65535))
const url = z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http(s) URL')
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
)
const did = z.string().regex(/^did:[a-z]+:[a-zA-Z0-9._:%-]+$/, 'must be a DID (did:method:identifier)')
const hex32 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a 32-byte secp256k1 private key in hex (64 hex characters)')
const hostname = z
  .string()
  .regex(/^[a-zA-Z0-9.-]+$/, 'must be a bare hostname such as pds.example.com (no scheme, port or path)')
const handleDomains = list.pipe(
  z.array(z.string().regex(/^\.[a-z0-9.-]+$/, 'each handle domain must start with a dot, like .example.com')),
)
const sqliteSynchronous = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .pipe(z.enum(['FULL', 'NORMAL'], 'must be full or normal'))
const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
const smtpUrl = z.string().refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v), 'must be an smtp:// or smtps:// URL')
const DURATION_UNITS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY }
// "30m", "6h", "1d"; a bare number counts seconds.
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)?$/, 'must be a duration such as 30m, 6h or 1d')
  .transform((v) => Number(/^\d+/.exec(v)![0]) * DURATION_UNITS[/[a-z]+$/.exec(v)?.[0] ?? 's']!)
  .pipe(z.number().min(MINUTE, 'must be at least 1m'))

function read<T>(env: RawEnv, name: string, schema: z.ZodType<T>): T | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    throw new ConfigError(name, `${parsed.error.issues[0]?.message ?? 'invalid value'} (got ${JSON.stringify(raw)})`)
  }
  return parsed.data
}

function required<T>(value: T | undefined, name: string, why: string): T {
  if (value === undefined) throw new ConfigError(name, `is required ${why}`)
  return value
}

export type BlobstoreConfig =
  | { provider: 'disk'; location: string; tempLocation: string }
  | {
      provider: 's3'
      bucket: string
      region?: string
      endpoint?: string
      forcePathStyle: boolean
      accessKeyId?: string
      secretAccessKey?: string
      uploadTimeoutMs: number
      tempLocation: string
    }

export type ServiceEndpoint = { url: string; did: string }

const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in international form, like +15551234567')

/** PDS_TELEGRAM_*, PDS_DISCORD_*, PDS_NTFY_*, PDS_SIGNAL_*, PDS_NOTIFY_*: each channel is on when its settings are. */
function notifyConfig(env: RawEnv) {
  const telegramToken = read(env, 'PDS_TELEGRAM_BOT_TOKEN', z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'must be a bot token from @BotFather (123456:ABC…)'))
  const ntfyUrl = read(env, 'PDS_NTFY_URL', url)
  const signalCli = read(env, 'PDS_SIGNAL_CLI_PATH', str)
  const signalAccount = read(env, 'PDS_SIGNAL_ACCOUNT', phone)
  const signalRpc = read(env, 'PDS_SIGNAL_RPC_URL', url)
  if (signalCli && signalRpc) throw new ConfigError('PDS_SIGNAL_RPC_URL', 'and PDS_SIGNAL_CLI_PATH are two ways to reach signal-cli: set one of them')
  const discordBot = read(env, 'PDS_DISCORD_BOT_TOKEN', z.string().regex(/^[A-Za-z0-9._-]{20,200}$/, 'must be a bot token from the Discord developer portal'))
  if (signalCli && !signalAccount) throw new ConfigError('PDS_SIGNAL_ACCOUNT', 'is required when PDS_SIGNAL_CLI_PATH is set (the phone number signal-cli is registered with)')
  return {
    telegram: telegramToken ? { botToken: telegramToken, apiUrl: read(env, 'PDS_TELEGRAM_API_URL', url) ?? 'https://api.telegram.org' } : undefined,
    discord: read(env, 'PDS_DISCORD_WEBHOOKS_ENABLED', bool) ?? false,
    discordBot: discordBot ? { botToken: discordBot, apiUrl: read(env, 'PDS_DISCORD_API_URL', url) ?? 'https://discord.com/api/v10' } : undefined,
    ntfy: ntfyUrl ? { url: ntfyUrl, token: read(env, 'PDS_NTFY_TOKEN', str) } : undefined,
    signal: signalCli ? { cliPath: signalCli, account: signalAccount! } : undefined,
    /** signal-cli's JSON-RPC daemon (`daemon --http`): its /api/v1/rpc URL; the account only in multi-account mode. */
    signalRpc: signalRpc ? { url: signalRpc, account: signalAccount } : undefined,
    templatesFile: read(env, 'PDS_NOTIFY_TEMPLATES', str),
    retryBaseMs: read(env, 'PDS_NOTIFY_RETRY_BASE_MS', int) ?? 10 * SECOND,
    maxAttempts: read(env, 'PDS_NOTIFY_MAX_ATTEMPTS', int.pipe(z.number().min(1, 'must be at least 1'))) ?? 12,
    breakerThreshold: read(env, 'PDS_NOTIFY_BREAKER_THRESHOLD', int.pipe(z.number().min(1, 'must be at least 1'))) ?? 5,
    breakerCooldownMs: read(env, 'PDS_NOTIFY_BREAKER_COOLDOWN_MS', int) ?? 5 * MINUTE,
  }
}

/** Minimum length of PDS_BACKUP_AGE_PASSPHRASE: it is all that stands between a bucket and its contents. */
const MIN_BACKUP_PASSPHRASE = 12

/**
 * Off-site backups (README "Off-site backups"): PDS_BACKUP_S3_URL or PDS_BACKUP_S3_BUCKET with the other
 * PDS_BACKUP_S3_* settings, and PDS_BACKUP_AGE_*. `url` (a command's --to/--from) overrides the location.
 * Undefined when no bucket is named. `requireEncryption`: refuse unless backups can be encrypted.
 */
export function offsiteBackupConfig(env: RawEnv, opts: { url?: string; requireEncryption?: boolean } = {}) {
  const s3Url = z.string().transform((v, ctx) => {
    const parsed = parseS3Url(v)
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed })
    return parsed as Exclude<ReturnType<typeof parseS3Url>, string>
  })
  const fromUrl = opts.url !== undefined ? s3Url.safeParse(opts.url) : undefined
  if (fromUrl && !fromUrl.success) throw new ConfigError(opts.url!, fromUrl.error.issues[0]?.message ?? 'invalid s3:// URL')
  const location = fromUrl?.data ?? read(env, 'PDS_BACKUP_S3_URL', s3Url)
  const bucket = location?.bucket ?? read(env, 'PDS_BACKUP_S3_BUCKET', str)
  if (!bucket) return undefined
  const passphraseFile = read(env, 'PDS_BACKUP_AGE_PASSPHRASE_FILE', str)
  let passphrase = read(env, 'PDS_BACKUP_AGE_PASSPHRASE', str)
  if (passphrase && passphraseFile) throw new ConfigError('PDS_BACKUP_AGE_PASSPHRASE_FILE', 'set either PDS_BACKUP_AGE_PASSPHRASE or PDS_BACKUP_AGE_PASSPHRASE_FILE, not both')
  if (passphraseFile) {
    try {
      passphrase = readFileSync(passphraseFile, 'utf8').replace(/\r?\n$/, '')
    } catch (err) {
      throw new ConfigError('PDS_BACKUP_AGE_PASSPHRASE_FILE', `cannot read ${passphraseFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    }
  }
  if (passphrase !== undefined && passphrase.length < MIN_BACKUP_PASSPHRASE) {
    throw new ConfigError(passphraseFile ? 'PDS_BACKUP_AGE_PASSPHRASE_FILE' : 'PDS_BACKUP_AGE_PASSPHRASE', `must be at least ${MIN_BACKUP_PASSPHRASE} characters (generate one with: openssl rand -base64 24)`)
  }
  const recipient = read(env, 'PDS_BACKUP_AGE_RECIPIENT', z.string().regex(/^age1[0-9a-z]+$/, 'must be an age recipient (age1…, from age-keygen)'))
  if (passphrase && recipient) throw new ConfigError('PDS_BACKUP_AGE_RECIPIENT', 'set either PDS_BACKUP_AGE_RECIPIENT or PDS_BACKUP_AGE_PASSPHRASE, not both')
  if (opts.requireEncryption && !passphrase && !recipient) {
    throw new ConfigError('PDS_BACKUP_AGE_PASSPHRASE', 'is required for off-site backups (or PDS_BACKUP_AGE_RECIPIENT): nothing leaves this machine unencrypted')
  }
  return {
    target: {
      bucket,
      prefix: location?.prefix ?? (read(env, 'PDS_BACKUP_S3_PREFIX', str) ?? '').replace(/^\/+|\/+$/g, ''),
      endpoint: location?.endpoint ?? read(env, 'PDS_BACKUP_S3_ENDPOINT', url),
      region: location?.region ?? read(env, 'PDS_BACKUP_S3_REGION', str),
      forcePathStyle: location?.forcePathStyle ?? read(env, 'PDS_BACKUP_S3_FORCE_PATH_STYLE', bool) ?? false,
      accessKeyId: read(env, 'PDS_BACKUP_S3_ACCESS_KEY_ID', str),
      secretAccessKey: read(env, 'PDS_BACKUP_S3_SECRET_ACCESS_KEY', str),
    },
    encryption: {
      passphrase,
      recipient,
      /** For restore/verify of recipient-encrypted backups: the age identity file (AGE-SECRET-KEY-1…). */
      identityFile: read(env, 'PDS_BACKUP_AGE_IDENTITY_FILE', str),
    },
    keep: read(env, 'PDS_BACKUP_S3_KEEP', int.pipe(z.number().min(1, 'must be at least 1'))) ?? 14,
    maxAgeMs: read(env, 'PDS_BACKUP_S3_MAX_AGE', duration),
  }
}

export type OffsiteBackupConfig = NonNullable<ReturnType<typeof offsiteBackupConfig>>

export function buildConfig(env: RawEnv, opts: { defaultDataDirectory?: string } = {}) {
  const devMode = read(env, 'PDS_DEV_MODE', bool) ?? false
  const host = read(env, 'PDS_HOSTNAME', hostname) ?? (devMode ? 'localhost' : undefined)
  const serviceHost = required(host, 'PDS_HOSTNAME', '(the public hostname of this server, e.g. pds.example.com)')
  const listenPort = read(env, 'PDS_PORT', port) ?? 2583
  const isLocal = serviceHost === 'localhost' || serviceHost.endsWith('.localhost') || serviceHost === '127.0.0.1'
  const publicUrl = isLocal ? `http://${serviceHost}:${listenPort}` : `https://${serviceHost}`

  const dataDirectory = resolve(read(env, 'PDS_DATA_DIRECTORY', str) ?? opts.defaultDataDirectory ?? 'pds-data')
  const inData = (name: string) => join(dataDirectory, name)

  const s3Bucket = read(env, 'PDS_BLOBSTORE_S3_BUCKET', str)
  const diskLocation = read(env, 'PDS_BLOBSTORE_DISK_LOCATION', str)
  const blobDir = resolve(diskLocation ?? inData('blobs'))
  const tempLocation = resolve(read(env, 'PDS_BLOBSTORE_DISK_TMP_LOCATION', str) ?? join(blobDir, 'tmp'))
  const blobstore: BlobstoreConfig = s3Bucket
    ? {
        provider: 's3',
        bucket: s3Bucket,
        region: read(env, 'PDS_BLOBSTORE_S3_REGION', str),
        endpoint: read(env, 'PDS_BLOBSTORE_S3_ENDPOINT', url),
        forcePathStyle: read(env, 'PDS_BLOBSTORE_S3_FORCE_PATH_STYLE', bool) ?? false,
        accessKeyId: read(env, 'PDS_BLOBSTORE_S3_ACCESS_KEY_ID', str),
        secretAccessKey: read(env, 'PDS_BLOBSTORE_S3_SECRET_ACCESS_KEY', str),
        uploadTimeoutMs: read(env, 'PDS_BLOBSTORE_S3_UPLOAD_TIMEOUT_MS', int) ?? 20 * SECOND,
        tempLocation,
      }
    : { provider: 'disk', location: blobDir, tempLocation }

  const plcUrlSetting = read(env, 'PDS_DID_PLC_URL', url)
  // Dev mode without a PLC directory hosts one itself, so that account creation needs no network.
  const localPlc = devMode && plcUrlSetting === undefined
  const plcUrl = plcUrlSetting ?? (localPlc ? `${publicUrl}/_plc` : 'https://plc.directory')

  const endpoint = (prefix: string, fallback?: ServiceEndpoint): ServiceEndpoint | undefined => {
    const u = read(env, `${prefix}_URL`, url)
    const d = read(env, `${prefix}_DID`, did)
    if (u && d) return { url: u, did: d }
    if (u || d) throw new ConfigError(u ? `${prefix}_DID` : `${prefix}_URL`, `must be set together with ${u ? `${prefix}_URL` : `${prefix}_DID`}`)
    return fallback
  }
  const bskyAppView = endpoint('PDS_BSKY_APP_VIEW')
  const emailSmtpUrl = read(env, 'PDS_EMAIL_SMTP_URL', smtpUrl)
  const moderationSmtpUrl = read(env, 'PDS_MODERATION_EMAIL_SMTP_URL', smtpUrl)

  const notify = notifyConfig(env)

  const keyEncryption = readKeyEncryptionKey(env)
  const rotationKeyHex = readRotationKey(env, keyEncryption?.sealer)
  if (read(env, 'PDS_PLC_ROTATION_KEY_KMS_KEY_ID', str) && !rotationKeyHex) {
    throw new ConfigError('PDS_PLC_ROTATION_KEY_KMS_KEY_ID', 'AWS KMS rotation keys are not supported; set PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX')
  }

  const backupDirectory = read(env, 'PDS_BACKUP_DIRECTORY', str)
  const backupInterval = read(env, 'PDS_BACKUP_INTERVAL', duration)
  const offsite = offsiteBackupConfig(env, { requireEncryption: true })
  const backup =
    backupDirectory || backupInterval || offsite
      ? {
          directory: resolve(backupDirectory ?? inData('backups')),
          intervalMs: backupInterval ?? DAY,
          keep: read(env, 'PDS_BACKUP_KEEP', int.pipe(z.number().min(1, 'must be at least 1'))) ?? 7,
          /** False when only off-site backups are configured: the local copy is a staging area, removed after upload. */
          local: Boolean(backupDirectory || backupInterval) || !offsite,
          offsite,
        }
      : undefined

  const jwtSecret = required(read(env, 'PDS_JWT_SECRET', str), 'PDS_JWT_SECRET', '(generate one with: openssl rand --hex 16)')
  const adminPassword = required(read(env, 'PDS_ADMIN_PASSWORD', str), 'PDS_ADMIN_PASSWORD', '(the admin password for the operator API)')

  return {
    service: {
      hostname: serviceHost,
      port: listenPort,
      publicUrl,
      did: read(env, 'PDS_SERVICE_DID', did) ?? `did:web:${serviceHost}`,
      version: read(env, 'PDS_VERSION', str),
      devMode,
      serviceName: read(env, 'PDS_SERVICE_NAME', str),
      privacyPolicyUrl: read(env, 'PDS_PRIVACY_POLICY_URL', url),
      termsOfServiceUrl: read(env, 'PDS_TERMS_OF_SERVICE_URL', url),
      homeUrl: read(env, 'PDS_HOME_URL', url),
      supportUrl: read(env, 'PDS_SUPPORT_URL', url),
      contactEmailAddress: read(env, 'PDS_CONTACT_EMAIL_ADDRESS', z.email('must be an email address')),
      // 100 MB so that video works out of the box (the reference's 5 MB default is a frequent complaint).
      blobUploadLimit: read(env, 'PDS_BLOB_UPLOAD_LIMIT', int) ?? 100 * 1024 * 1024,
      acceptingImports: read(env, 'PDS_ACCEPTING_REPO_IMPORTS', bool) ?? true,
      maxImportSize: read(env, 'PDS_MAX_REPO_IMPORT_SIZE', int) ?? 100 * 1024 * 1024,
    },
    db: {
      dataDirectory,
      accountDbLocation: resolve(read(env, 'PDS_ACCOUNT_DB_LOCATION', str) ?? inData('account.sqlite')),
      sequencerDbLocation: resolve(read(env, 'PDS_SEQUENCER_DB_LOCATION', str) ?? inData('sequencer.sqlite')),
      didCacheDbLocation: resolve(read(env, 'PDS_DID_CACHE_DB_LOCATION', str) ?? inData('did_cache.sqlite')),
      actorStoreDirectory: resolve(read(env, 'PDS_ACTOR_STORE_DIRECTORY', str) ?? inData('actors')),
      actorStoreCacheSize: read(env, 'PDS_ACTOR_STORE_CACHE_SIZE', int) ?? 100,
      /** File descriptors the open actor databases may hold; unset: a quarter of `ulimit -n`, at most 256. */
      actorStoreMaxOpenFiles: read(env, 'PDS_ACTOR_STORE_MAX_OPEN_FILES', int),
      // full (default): a write is acknowledged only once on stable storage. normal: faster, but an OS
      // crash or power loss may drop the newest acknowledged writes (a process crash never does).
      synchronous: read(env, 'PDS_SQLITE_SYNCHRONOUS', sqliteSynchronous) ?? 'FULL',
      /**
       * PDS_LITESTREAM: Litestream replicates the databases and runs their WAL checkpoints, not us:
       * true (all), server (the server-wide ones; `pds litestream-config --no-actors`), false (none).
       */
      litestream: read(env, 'PDS_LITESTREAM', z.string().transform((v) => v.trim().toLowerCase()).pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'server'], 'must be true, server or false')).transform((v) => (v === 'server' ? 'server' : v === 'true' || v === '1' || v === 'yes' ? 'all' : false))) ?? false,
    },
    blobstore,
    identity: {
      plcUrl,
      localPlc,
      cacheStaleTTL: read(env, 'PDS_DID_CACHE_STALE_TTL', int) ?? HOUR,
      cacheMaxTTL: read(env, 'PDS_DID_CACHE_MAX_TTL', int) ?? DAY,
      resolverTimeout: read(env, 'PDS_ID_RESOLVER_TIMEOUT', int) ?? 3 * SECOND,
      recoveryDidKey: read(env, 'PDS_RECOVERY_DID_KEY', z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/, 'must be a did:key')),
      serviceHandleDomains:
        read(env, 'PDS_SERVICE_HANDLE_DOMAINS', handleDomains) ?? (isLocal ? ['.test'] : [`.${serviceHost}`]),
      handleBackupNameservers: read(env, 'PDS_HANDLE_BACKUP_NAMESERVERS', list) ?? [],
      enableDidDocWithSession: read(env, 'PDS_ENABLE_DID_DOC_WITH_SESSION', bool) ?? false,
    },
    invites: {
      required: read(env, 'PDS_INVITE_REQUIRED', bool) ?? false,
      interval: read(env, 'PDS_INVITE_INTERVAL', int),
      epoch: read(env, 'PDS_INVITE_EPOCH', int) ?? 0,
    },
    email: emailSmtpUrl
      ? {
          smtpUrl: emailSmtpUrl,
          fromAddress: required(read(env, 'PDS_EMAIL_FROM_ADDRESS', str), 'PDS_EMAIL_FROM_ADDRESS', 'when PDS_EMAIL_SMTP_URL is set'),
        }
      : undefined,
    moderationEmail: moderationSmtpUrl
      ? {
          smtpUrl: moderationSmtpUrl,
          address: required(read(env, 'PDS_MODERATION_EMAIL_ADDRESS', str), 'PDS_MODERATION_EMAIL_ADDRESS', 'when PDS_MODERATION_EMAIL_SMTP_URL is set'),
        }
      : undefined,
    /** Notification channels besides email, and the queue's retry and breaker settings (README "Notifications"). */
    notify,
    /** Second factors: how long a recovery by email waits before it clears them (README "Two-factor and passkeys"). */
    factors: { recoveryDelayMs: read(env, 'PDS_FACTOR_RECOVERY_DELAY', duration) ?? 7 * DAY },
    subscription: {
      maxBuffer: read(env, 'PDS_MAX_SUBSCRIPTION_BUFFER', int) ?? 200,
      repoBackfillLimitMs: read(env, 'PDS_REPO_BACKFILL_LIMIT_MS', int) ?? DAY,
    },
    bskyAppView: bskyAppView && { ...bskyAppView, cdnUrlPattern: read(env, 'PDS_BSKY_APP_VIEW_CDN_URL_PATTERN', str) },
    reportService: endpoint('PDS_REPORT_SERVICE', bskyAppView),
    modService: endpoint('PDS_MOD_SERVICE'),
    /** The bundled moderation service (README "Moderation"): on when the team account exists. */
    moderation: {
      teamHandle: read(env, 'PDS_MOD_TEAM_HANDLE', z.string().regex(/^[a-zA-Z0-9.-]+$/, 'must be a handle such as mod.example.com').transform((h) => h.toLowerCase())),
      /** An explicit report service wins over the bundled one for our users' reports. */
      reportServiceSet: !!read(env, 'PDS_REPORT_SERVICE_URL', str),
    },
    /** Where chat.bsky.* goes without an atproto-proxy header (unset: the AppView, as the reference). */
    chatService: endpoint('PDS_CHAT_SERVICE'),
    rateLimits: {
      enabled: read(env, 'PDS_RATE_LIMITS_ENABLED', bool) ?? true,
      bypassKey: read(env, 'PDS_RATE_LIMIT_BYPASS_KEY', str),
      bypassIps: read(env, 'PDS_RATE_LIMIT_BYPASS_IPS', list) ?? [],
      trustedProxies: read(env, 'PDS_TRUSTED_PROXIES', list) ?? [],
    },
    crawlers: read(env, 'PDS_CRAWLERS', list.pipe(z.array(url))) ?? [],
    // The reference's pipethrough limits (PDS_PROXY_*), in ms and bytes.
    proxy: {
      headersTimeoutMs: read(env, 'PDS_PROXY_HEADERS_TIMEOUT', int) ?? 10 * SECOND,
      bodyTimeoutMs: read(env, 'PDS_PROXY_BODY_TIMEOUT', int) ?? 30 * SECOND,
      maxResponseBytes: read(env, 'PDS_PROXY_MAX_RESPONSE_SIZE', int) ?? 10 * 1024 * 1024,
    },
    /** Scheduled backups by `pds serve` (PDS_BACKUP_DIRECTORY / _INTERVAL / _KEEP, PDS_BACKUP_S3_*); unset: none. */
    backup,
    /** Accounts that may also sign in to the operator's console (/admin) with their own password and second factor. */
    adminHandles: read(env, 'PDS_ADMIN_HANDLES', list) ?? [],
    /** Prometheus exposition at /metrics (README "Metrics and alerts"): off unless enabled; the token, when set, is required. */
    metrics: {
      enabled: read(env, 'PDS_METRICS_ENABLED', bool) ?? false,
      token: read(env, 'PDS_METRICS_TOKEN', str),
    },
    /** When /xrpc/_health and `pds status` report degraded (src/services/health). */
    alerts: {
      diskUsedPercent: read(env, 'PDS_ALERT_DISK_USED_PERCENT', int.pipe(z.number().min(0).max(100, 'must be a percentage (0-100)'))) ?? 90,
      /** Median time of the server's recent WAL syncs above which health reports disk-slow (every durable write waits for one). */
      diskSyncMs: read(env, 'PDS_ALERT_DISK_SYNC_MS', int) ?? 50,
    },
    secrets: {
      jwtSecret,
      adminPassword,
      plcRotationKeyHex: required(rotationKeyHex, 'PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX', '(a 32-byte secp256k1 key in hex)'),
      /** Set: signing keys and the PLC rotation key are written encrypted (src/core/crypto/key-seal.ts). */
      keyEncryption,
    },
    logLevel: read(env, 'LOG_LEVEL', logLevel) ?? (read(env, 'PDS_LOG_ENABLED', bool) === false ? 'silent' : 'info'),
  }
}

export type Config = ReturnType<typeof buildConfig>

/** The label the PLC rotation key is sealed with (account keys use their DID). */
export const ROTATION_KEY_LABEL = 'plc-rotation-key'

/** PDS_KEY_ENCRYPTION_KEY, or the file PDS_KEY_ENCRYPTION_KEY_FILE names (kept outside the data directory). */
export function readKeyEncryptionKey(env: RawEnv): { sealer: KeySealer; source: string } | undefined {
  const inline = read(env, 'PDS_KEY_ENCRYPTION_KEY', str)
  const file = read(env, 'PDS_KEY_ENCRYPTION_KEY_FILE', str)
  if (inline && file) throw new ConfigError('PDS_KEY_ENCRYPTION_KEY_FILE', 'set either PDS_KEY_ENCRYPTION_KEY or PDS_KEY_ENCRYPTION_KEY_FILE, not both')
  if (!inline && !file) return undefined
  let text = inline!
  if (file) {
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      throw new ConfigError('PDS_KEY_ENCRYPTION_KEY_FILE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    }
  }
  try {
    return { sealer: new KeySealer(parseKeyEncryptionKey(text)), source: file ? resolve(file) : 'PDS_KEY_ENCRYPTION_KEY' }
  } catch (err) {
    throw new ConfigError(file ? 'PDS_KEY_ENCRYPTION_KEY_FILE' : 'PDS_KEY_ENCRYPTION_KEY', (err as Error).message)
  }
}

/** The rotation key in hex: plain, or PDS_PLC_ROTATION_KEY_K256_ENCRYPTED opened with the key encryption key. */
function readRotationKey(env: RawEnv, sealer: KeySealer | undefined): string | undefined {
  const plain = read(env, 'PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX', hex32)
  const sealed = read(env, 'PDS_PLC_ROTATION_KEY_K256_ENCRYPTED', z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'))
  if (!sealed) return plain
  if (plain) throw new ConfigError('PDS_PLC_ROTATION_KEY_K256_ENCRYPTED', 'set either it or PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX, not both')
  if (!sealer) throw new ConfigError('PDS_PLC_ROTATION_KEY_K256_ENCRYPTED', 'is encrypted, but no PDS_KEY_ENCRYPTION_KEY (or PDS_KEY_ENCRYPTION_KEY_FILE) is configured')
  try {
    return Buffer.from(sealer.open(new Uint8Array(Buffer.from(sealed, 'base64url')), ROTATION_KEY_LABEL)).toString('hex')
  } catch (err) {
    if (err instanceof KeySealError) throw new ConfigError('PDS_PLC_ROTATION_KEY_K256_ENCRYPTED', err.message)
    throw err
  }
}

/**
 * Refuses to serve outside dev mode with a guessable PDS_JWT_SECRET (anyone could mint sessions) or
 * PDS_ADMIN_PASSWORD (the admin API). Checked at startup, not by every operator command.
 */
export function assertStrongSecrets(config: Config): void {
  if (config.service.devMode) return
  for (const [name, value] of [['PDS_JWT_SECRET', config.secrets.jwtSecret], ['PDS_ADMIN_PASSWORD', config.secrets.adminPassword]] as const) {
    const problem = weakSecretProblem(value)
    if (problem) throw new ConfigError(name, `${problem}; outside dev mode it must be at least ${MIN_SECRET_LENGTH} random characters (generate one with: openssl rand -hex 32)`)
  }
}
