// The configuration as the console shows it: what matters day to day, every secret masked (shown as set
// or not), URLs without their credentials.
import type { Config } from '../../config/config.ts'

export type ConfigLine = { name: string; value: string }

const SET = 'set (hidden)'
const onOff = (v: boolean) => (v ? 'on' : 'off')

/** A URL with any user name and password replaced, so SMTP credentials never reach the page. */
export function maskUrl(url: string): string {
  if (!URL.canParse(url)) return '(hidden)'
  const u = new URL(url)
  if (u.username || u.password) {
    u.username = u.username ? '***' : ''
    u.password = u.password ? '***' : ''
  }
  for (const key of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, '***')
  return u.toString()
}

const ms = (n: number) => (n % 3_600_000 === 0 ? `${n / 3_600_000} h` : n % 60_000 === 0 ? `${n / 60_000} min` : `${n} ms`)

export function configSummary(c: Config): ConfigLine[] {
  const lines: Array<[string, string | undefined]> = [
    ['PDS_HOSTNAME', c.service.hostname],
    ['Public URL', c.service.publicUrl],
    ['PDS_PORT', String(c.service.port)],
    ['PDS_DEV_MODE', onOff(c.service.devMode)],
    ['PDS_SERVICE_DID', c.service.did],
    ['PDS_DATA_DIRECTORY', c.db.dataDirectory],
    ['PDS_SERVICE_HANDLE_DOMAINS', c.identity.serviceHandleDomains.join(', ')],
    ['PDS_DID_PLC_URL', c.identity.localPlc ? `${c.identity.plcUrl} (local, development)` : c.identity.plcUrl],
    ['PDS_INVITE_REQUIRED', onOff(c.invites.required)],
    ['PDS_EMAIL_SMTP_URL', c.email ? maskUrl(c.email.smtpUrl) : 'not set (mail goes to the log)'],
    ['PDS_EMAIL_FROM_ADDRESS', c.email?.fromAddress],
    ['PDS_BSKY_APP_VIEW_URL', c.bskyAppView ? `${c.bskyAppView.url} (${c.bskyAppView.did})` : 'not set'],
    ['PDS_REPORT_SERVICE_URL', c.reportService ? `${c.reportService.url} (${c.reportService.did})` : 'not set'],
    ['PDS_MOD_SERVICE_URL', c.modService ? `${c.modService.url} (${c.modService.did})` : 'not set'],
    ['PDS_CRAWLERS', c.crawlers.join(', ') || 'none'],
    ['Blob store', c.blobstore.provider === 's3' ? `S3 bucket ${c.blobstore.bucket}${c.blobstore.endpoint ? ` at ${maskUrl(c.blobstore.endpoint)}` : ''}` : c.blobstore.location],
    ['PDS_BLOB_UPLOAD_LIMIT', `${(c.service.blobUploadLimit / 1024 / 1024).toFixed(c.service.blobUploadLimit % (1024 * 1024) ? 1 : 0)} MB`],
    ['PDS_BACKUP_DIRECTORY', c.backup ? `${c.backup.directory}, every ${ms(c.backup.intervalMs)}, keep ${c.backup.keep}` : 'no scheduled backups'],
    ['PDS_RATE_LIMITS_ENABLED', onOff(c.rateLimits.enabled)],
    ['PDS_TRUSTED_PROXIES', c.rateLimits.trustedProxies.join(', ') || 'none'],
    ['PDS_SQLITE_SYNCHRONOUS', c.db.synchronous],
    ['PDS_ADMIN_HANDLES', c.adminHandles.join(', ') || 'none (the admin password only)'],
    ['PDS_ADMIN_PASSWORD', SET],
    ['PDS_JWT_SECRET', SET],
    ['PDS_PLC_ROTATION_KEY', SET],
    ['PDS_KEY_ENCRYPTION_KEY', c.secrets.keyEncryption ? `${SET}, keys sealed at rest` : 'not set (keys stored unencrypted)'],
    ['LOG_LEVEL', c.logLevel],
  ]
  return lines.filter((l): l is [string, string] => l[1] !== undefined).map(([name, value]) => ({ name, value }))
}
