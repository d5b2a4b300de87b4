// `pds init`: writes pds.env, by questions on a terminal or from flags with --yes. Both ways start
// from the same defaults (INIT_DEFAULTS), so Enter through every question equals --yes.
import type { Command } from 'commander'
import * as p from '@clack/prompts'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { buildConfig, ConfigError, ROTATION_KEY_LABEL } from '../../src/config/config.ts'
import { KeySealer, parseKeyEncryptionKey } from '../../src/core/crypto/key-seal.ts'
import { generateSecrets, writeEnvFile } from '../../src/config/secrets.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { withJsonOption } from '../lib/options.ts'
import { Output, runCommand } from '../lib/output.ts'

/** Bluesky's public services, offered as defaults as the reference installer does. */
export const PUBLIC_DEFAULTS = {
  plcUrl: 'https://plc.directory',
  appViewUrl: 'https://api.bsky.app',
  appViewDid: 'did:web:api.bsky.app',
  reportServiceUrl: 'https://mod.bsky.app',
  reportServiceDid: 'did:plc:ar7c4by46qjdydhdevvrndac',
  crawlers: 'https://bsky.network',
}

/** What `init --yes` writes and what the questions offer. The data directory is the reference's /pds. */
export const INIT_DEFAULTS = {
  dataDir: '/pds',
  port: '2583',
  inviteRequired: true,
  useBluesky: true,
}

/** Blobs go in <data-dir>/blobs, the server's own default, so pds.env and the README name one folder. */
export const BLOB_FOLDER = 'blobs'

type InitOptions = {
  yes?: boolean
  force?: boolean
  json?: boolean
  hostname?: string
  dataDir: string
  email?: string
  handleDomains?: string
  smtpUrl?: string
  telegramBotToken?: string
  discordBotToken?: string
  signalRpcUrl?: string
  emailFrom?: string
  inviteRequired: boolean
  port: string
  plcUrl: string
  appviewUrl: string
  appviewDid: string
  crawlers: string
  useBluesky?: boolean
  keyEncryptionKeyFile?: string
  adminHandles?: string
  metrics?: boolean
  modTeamHandle?: string
  backupS3Url?: string
  backupS3AccessKeyId?: string
  backupS3SecretAccessKey?: string
  backupAgeRecipient?: string
}

export function registerInit(program: Command) {
  withJsonOption(program.command('init'))
    .description('create pds.env: hostname, contact, data directory, secrets and the public Bluesky services')
    .option('-y, --yes', 'non-interactive: take flags and defaults, ask nothing')
    .option('--force', 'overwrite an existing pds.env')
    .option('--hostname <host>', 'public hostname, e.g. pds.example.com')
    .option('-d, --data-dir <dir>', 'data directory', INIT_DEFAULTS.dataDir)
    .option('--email <address>', 'admin contact email address')
    .option('--handle-domains <list>', 'comma-separated handle domains, each starting with a dot (default: .<hostname>)')
    .option('--smtp-url <url>', 'SMTP URL for email, e.g. smtps://user:pass@smtp.example.com:465')
    .option('--email-from <address>', 'From address for email')
    .option('--telegram-bot-token <token>', 'Telegram bot token (from @BotFather): codes and notices over Telegram, no SMTP needed')
    .option('--discord-bot-token <token>', 'Discord bot token (from the developer portal): codes and notices as Discord direct messages')
    .option('--signal-rpc-url <url>', "signal-cli's JSON-RPC daemon (daemon --http), e.g. http://127.0.0.1:8080/api/v1/rpc: codes and notices over Signal")
    .option('--invite-required', `require an invite code to create an account${INIT_DEFAULTS.inviteRequired ? ' (the default)' : ''}`)
    .option('--no-invite-required', 'let anyone create an account')
    .option('--port <port>', 'port to listen on', INIT_DEFAULTS.port)
    .option('--plc-url <url>', 'PLC directory', PUBLIC_DEFAULTS.plcUrl)
    .option('--appview-url <url>', 'AppView URL', PUBLIC_DEFAULTS.appViewUrl)
    .option('--appview-did <did>', 'AppView DID', PUBLIC_DEFAULTS.appViewDid)
    .option('--crawlers <list>', 'comma-separated relays to notify', PUBLIC_DEFAULTS.crawlers)
    .option('--admin-handles <list>', 'comma-separated handles that may also sign in to the operator console (/admin) with their own password')
    .option('--metrics', 'serve Prometheus metrics at /metrics, behind a generated bearer token (PDS_METRICS_TOKEN)')
    .option('--mod-team-handle <handle>', 'the moderation team account: turns on the bundled moderation service and labeler (README "Moderation")')
    .option('--key-encryption-key-file <file>', 'encrypt signing keys at rest with the key in this file (created if missing; keep it outside the data directory)')
    .option('--backup-s3-url <url>', 'daily encrypted off-site backups to s3://bucket/prefix[?endpoint=…&region=…&force_path_style=true]')
    .option('--backup-s3-access-key-id <id>', 'access key for the backup bucket')
    .option('--backup-s3-secret-access-key <secret>', 'secret key for the backup bucket')
    .option('--backup-age-recipient <age1…>', 'encrypt off-site backups to this age public key (default: a generated passphrase in pds.env)')
    .action((flags: Omit<InitOptions, 'inviteRequired'> & { inviteRequired?: boolean }) => {
      const opts: InitOptions = { ...flags, inviteRequired: flags.inviteRequired ?? INIT_DEFAULTS.inviteRequired }
      const out = new Output(opts)
      return runCommand(out, async () => {
        if (!opts.yes && opts.json) throw new CliError('--json needs --yes (the questions would mix with the JSON)', EXIT.usage)
        if (!opts.yes && !process.stdin.isTTY) throw new CliError('no terminal to ask questions on: pass --yes and flags (see pds init --help)', EXIT.usage)
        const answers = opts.yes ? opts : await ask(opts)
        if (!answers.hostname) throw new CliError('--hostname is required with --yes', EXIT.usage)
        const written = writeInit(answers, Boolean(opts.force))
        out.result({ ok: true, ...written }, () => nextSteps(written.envFile, answers.hostname!, written.dataDirectory, answers.port))
      })
    })
}

function writeInit(answers: InitOptions, force: boolean) {
  const dataDir = resolve(answers.dataDir)
  const envPath = join(dataDir, 'pds.env')
  if (existsSync(envPath) && !force) throw new CliError(`${envPath} already exists; use --force to overwrite it`, EXIT.refused)
  const bluesky = answers.useBluesky ?? true
  const secrets = generateSecrets()
  const sealed = answers.keyEncryptionKeyFile ? sealRotationKey(answers.keyEncryptionKeyFile, dataDir, secrets.PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX) : undefined
  const values: Record<string, string | undefined> = {
    PDS_HOSTNAME: answers.hostname,
    PDS_PORT: answers.port,
    PDS_DATA_DIRECTORY: dataDir,
    PDS_BLOBSTORE_DISK_LOCATION: join(dataDir, BLOB_FOLDER),
    ...secrets,
    ...(sealed && { PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: undefined, PDS_PLC_ROTATION_KEY_K256_ENCRYPTED: sealed.rotationKey, PDS_KEY_ENCRYPTION_KEY_FILE: sealed.file }),
    PDS_CONTACT_EMAIL_ADDRESS: answers.email || undefined,
    PDS_SERVICE_HANDLE_DOMAINS: answers.handleDomains || undefined,
    PDS_INVITE_REQUIRED: answers.inviteRequired ? 'true' : 'false',
    PDS_EMAIL_SMTP_URL: answers.smtpUrl || undefined,
    PDS_EMAIL_FROM_ADDRESS: answers.smtpUrl ? answers.emailFrom || answers.email || `noreply@${answers.hostname}` : undefined,
    PDS_TELEGRAM_BOT_TOKEN: answers.telegramBotToken || undefined,
    PDS_DISCORD_BOT_TOKEN: answers.discordBotToken || undefined,
    PDS_SIGNAL_RPC_URL: answers.signalRpcUrl || undefined,
    ...offsiteBackupValues(answers),
    PDS_DID_PLC_URL: answers.plcUrl,
    PDS_BSKY_APP_VIEW_URL: bluesky ? answers.appviewUrl : undefined,
    PDS_BSKY_APP_VIEW_DID: bluesky ? answers.appviewDid : undefined,
    // With a moderation team, our users' reports go to it rather than to Bluesky's report service.
    PDS_REPORT_SERVICE_URL: bluesky && !answers.modTeamHandle ? PUBLIC_DEFAULTS.reportServiceUrl : undefined,
    PDS_REPORT_SERVICE_DID: bluesky && !answers.modTeamHandle ? PUBLIC_DEFAULTS.reportServiceDid : undefined,
    PDS_MOD_TEAM_HANDLE: answers.modTeamHandle || undefined,
    PDS_CRAWLERS: bluesky ? answers.crawlers : undefined,
    PDS_ADMIN_HANDLES: answers.adminHandles || undefined,
    PDS_METRICS_ENABLED: answers.metrics ? 'true' : undefined,
    PDS_METRICS_TOKEN: answers.metrics ? randomBytes(24).toString('hex') : undefined,
    LOG_LEVEL: 'info',
  }
  try {
    buildConfig(values)
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.usage)
    throw err
  }
  mkdirSync(dataDir, { recursive: true })
  writeEnvFile(envPath, values, `pds configuration written by \`pds init\` on ${new Date().toISOString()}`)
  return { envFile: envPath, dataDirectory: dataDir, hostname: answers.hostname!, inviteRequired: answers.inviteRequired }
}

/** PDS_BACKUP_S3_* and the age key: a recipient given, or a generated passphrase (README "Off-site backups"). */
function offsiteBackupValues(answers: InitOptions): Record<string, string | undefined> {
  if (!answers.backupS3Url) return {}
  return {
    PDS_BACKUP_S3_URL: answers.backupS3Url,
    PDS_BACKUP_S3_ACCESS_KEY_ID: answers.backupS3AccessKeyId || undefined,
    PDS_BACKUP_S3_SECRET_ACCESS_KEY: answers.backupS3SecretAccessKey || undefined,
    PDS_BACKUP_AGE_RECIPIENT: answers.backupAgeRecipient || undefined,
    PDS_BACKUP_AGE_PASSPHRASE: answers.backupAgeRecipient ? undefined : randomBytes(24).toString('base64url'),
  }
}

/**
 * Creates the key encryption key file (or reads the one there) and seals the new rotation key with it.
 * Refused inside the data directory: whoever copies the directory would get the key with it.
 */
function sealRotationKey(file: string, dataDir: string, rotationKeyHex: string): { file: string; rotationKey: string } {
  const path = resolve(file)
  if (!relative(dataDir, path).startsWith('..')) throw new CliError(`--key-encryption-key-file ${path} is inside the data directory; keep it elsewhere (e.g. /etc/pds/key-encryption-key)`, EXIT.usage)
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
  }
  let sealer: KeySealer
  try {
    sealer = new KeySealer(parseKeyEncryptionKey(readFileSync(path, 'utf8')))
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`, EXIT.usage)
  }
  const sealed = sealer.seal(new Uint8Array(Buffer.from(rotationKeyHex, 'hex')), ROTATION_KEY_LABEL)
  return { file: path, rotationKey: Buffer.from(sealed).toString('base64url') }
}

async function ask(defaults: InitOptions): Promise<InitOptions> {
  p.intro('pds init: set up a Personal Data Server')
  const answers = await p.group(
    {
      hostname: () =>
        p.text({
          message: 'Public hostname (DNS name pointing at this machine)',
          placeholder: 'pds.example.com',
          initialValue: defaults.hostname,
          validate: (v) => (v && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(v) ? undefined : 'a hostname like pds.example.com'),
        }),
      email: () => p.text({ message: 'Admin contact email', initialValue: defaults.email ?? '' }),
      dataDir: () => p.text({ message: 'Data directory', initialValue: defaults.dataDir }),
      handleDomains: ({ results }) =>
        p.text({ message: 'Handle domains (comma-separated, leading dot)', initialValue: defaults.handleDomains ?? `.${results.hostname}` }),
      smtpUrl: () =>
        p.text({ message: 'SMTP URL for email (optional)', placeholder: 'smtps://user:pass@smtp.example.com:465', initialValue: defaults.smtpUrl ?? '' }),
      telegramBotToken: () =>
        p.text({
          message: 'Telegram bot token for notifications without SMTP (optional; README "Notifications" lists all channels)',
          placeholder: '123456:ABC-from-BotFather',
          initialValue: defaults.telegramBotToken ?? '',
        }),
      discordBotToken: () =>
        p.text({
          message: 'Discord bot token for notifications as direct messages (optional)',
          placeholder: 'from discord.com/developers: Bot → Token',
          initialValue: defaults.discordBotToken ?? '',
        }),
      signalRpcUrl: () =>
        p.text({
          message: "Signal: signal-cli's JSON-RPC daemon URL (optional; signal-cli daemon --http)",
          placeholder: 'http://127.0.0.1:8080/api/v1/rpc',
          initialValue: defaults.signalRpcUrl ?? '',
        }),
      inviteRequired: () => p.confirm({ message: 'Require invite codes?', initialValue: defaults.inviteRequired }),
      keyEncryptionKeyFile: async () => {
        const encrypt = await p.confirm({ message: 'Encrypt signing keys at rest (with a key kept in a file outside the data directory)?', initialValue: Boolean(defaults.keyEncryptionKeyFile) })
        if (p.isCancel(encrypt) || !encrypt) return undefined
        return p.text({ message: 'Key encryption key file (created if missing)', initialValue: defaults.keyEncryptionKeyFile ?? '/etc/pds/key-encryption-key' })
      },
      backupS3Url: async () => {
        const offsite = await p.confirm({ message: 'Daily encrypted off-site backups to an S3 bucket?', initialValue: Boolean(defaults.backupS3Url) })
        if (p.isCancel(offsite) || !offsite) return undefined
        return p.text({ message: 'Bucket URL: s3://bucket/prefix (add ?endpoint=https://…&force_path_style=true for non-AWS S3)', initialValue: defaults.backupS3Url ?? '' })
      },
      backupS3AccessKeyId: ({ results }) => (results.backupS3Url ? p.text({ message: 'Access key ID for the bucket', initialValue: defaults.backupS3AccessKeyId ?? '' }) : undefined),
      backupS3SecretAccessKey: ({ results }) => (results.backupS3Url ? p.password({ message: 'Secret access key for the bucket' }) : undefined),
      backupAgeRecipient: ({ results }) =>
        results.backupS3Url
          ? p.text({ message: 'age public key to encrypt backups to (age1…; empty: a passphrase generated into pds.env)', initialValue: defaults.backupAgeRecipient ?? '' })
          : undefined,
      useBluesky: () =>
        p.confirm({ message: "Use Bluesky's public AppView, report service, PLC directory and relay?", initialValue: INIT_DEFAULTS.useBluesky }),
      adminHandles: () =>
        p.text({
          message: 'Handles that may also sign in to the operator console at /admin (optional; the admin password always can)',
          placeholder: 'you.pds.example.com',
          initialValue: defaults.adminHandles ?? '',
        }),
      metrics: () => p.confirm({ message: 'Serve Prometheus metrics at /metrics (behind a generated bearer token)?', initialValue: Boolean(defaults.metrics) }),
      modTeamHandle: ({ results }) =>
        p.text({
          message: 'Moderation team account handle (optional: a bundled moderation service and labeler; reports then come here)',
          placeholder: `mod${String(results.handleDomains ?? '').split(',')[0] || `.${results.hostname}`}`,
          initialValue: defaults.modTeamHandle ?? '',
        }),
    },
    {
      onCancel: () => {
        throw new CliError('cancelled; nothing was written', EXIT.refused)
      },
    },
  )
  p.outro('writing pds.env')
  const optional = (value: unknown) => (typeof value === 'string' && value ? value : undefined)
  return {
    ...defaults,
    ...answers,
    handleDomains: String(answers.handleDomains),
    keyEncryptionKeyFile: optional(answers.keyEncryptionKeyFile),
    backupS3Url: optional(answers.backupS3Url),
    backupS3AccessKeyId: optional(answers.backupS3AccessKeyId),
    backupS3SecretAccessKey: optional(answers.backupS3SecretAccessKey),
    backupAgeRecipient: optional(answers.backupAgeRecipient),
    adminHandles: optional(answers.adminHandles),
    modTeamHandle: optional(answers.modTeamHandle),
  }
}

function nextSteps(envPath: string, hostname: string, dataDir: string, port: string): string {
  return `Wrote ${envPath} (mode 0600).

Next steps:
  1. DNS: an A/AAAA record for ${hostname} and a wildcard *.${hostname} pointing at this machine.
  2. Service and TLS:  pds install-service --data-dir ${dataDir}
     (a hardened systemd unit, and a Caddyfile that proxies https://${hostname} to port ${port}, WebSockets included)
  3. Start it:  systemctl enable --now pds     (or in the foreground: pds serve --data-dir ${dataDir})
  4. Create an account:  pds account create you@example.com you.${hostname}`
}
