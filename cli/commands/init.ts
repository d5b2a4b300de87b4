import type { Command } from 'commander'
import * as p from '@clack/prompts'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildConfig, ConfigError } from '../../src/config/config.ts'
import { generateSecrets, writeEnvFile } from '../../src/config/secrets.ts'

/** Bluesky's public services, offered as defaults as the reference installer does. */
export const PUBLIC_DEFAULTS = {
  plcUrl: 'https://plc.directory',
  appViewUrl: 'https://api.bsky.app',
  appViewDid: 'did:web:api.bsky.app',
  reportServiceUrl: 'https://mod.bsky.app',
  reportServiceDid: 'did:plc:ar7c4by46qjdydhdevvrndac',
  crawlers: 'https://bsky.network',
}

type InitOptions = {
  yes?: boolean
  force?: boolean
  hostname?: string
  dataDir?: string
  email?: string
  handleDomains?: string
  smtpUrl?: string
  emailFrom?: string
  inviteRequired?: boolean
  port?: string
  plcUrl?: string
  appviewUrl?: string
  appviewDid?: string
  crawlers?: string
}

export function registerInit(program: Command) {
  program
    .command('init')
    .description('create pds.env: hostname, contact, data directory, secrets and the public Bluesky services')
    .option('-y, --yes', 'non-interactive: take flags and defaults, ask nothing')
    .option('--force', 'overwrite an existing pds.env')
    .option('--hostname <host>', 'public hostname, e.g. pds.example.com')
    .option('--data-dir <dir>', 'data directory', '/pds')
    .option('--email <address>', 'admin contact email address')
    .option('--handle-domains <list>', 'comma-separated handle domains, each starting with a dot (default: .<hostname>)')
    .option('--smtp-url <url>', 'SMTP URL for email, e.g. smtps://user:pass@smtp.example.com:465')
    .option('--email-from <address>', 'From address for email')
    .option('--invite-required', 'require an invite code to create an account')
    .option('--port <port>', 'port to listen on', '2583')
    .option('--plc-url <url>', 'PLC directory', PUBLIC_DEFAULTS.plcUrl)
    .option('--appview-url <url>', 'AppView URL', PUBLIC_DEFAULTS.appViewUrl)
    .option('--appview-did <did>', 'AppView DID', PUBLIC_DEFAULTS.appViewDid)
    .option('--crawlers <list>', 'comma-separated relays to notify', PUBLIC_DEFAULTS.crawlers)
    .action(async (opts: InitOptions) => {
      const answers = opts.yes ? opts : await ask(opts)
      if (!answers.hostname) fail('--hostname is required with --yes')
      const dataDir = resolve(answers.dataDir ?? '/pds')
      const envPath = join(dataDir, 'pds.env')
      if (existsSync(envPath) && !opts.force) fail(`${envPath} already exists; use --force to overwrite it`)
      const values: Record<string, string | undefined> = {
        PDS_HOSTNAME: answers.hostname,
        PDS_PORT: answers.port ?? '2583',
        PDS_DATA_DIRECTORY: dataDir,
        PDS_BLOBSTORE_DISK_LOCATION: join(dataDir, 'blocks'),
        ...generateSecrets(),
        PDS_CONTACT_EMAIL_ADDRESS: answers.email || undefined,
        PDS_SERVICE_HANDLE_DOMAINS: answers.handleDomains || undefined,
        PDS_INVITE_REQUIRED: answers.inviteRequired ? 'true' : 'false',
        PDS_EMAIL_SMTP_URL: answers.smtpUrl || undefined,
        PDS_EMAIL_FROM_ADDRESS: answers.smtpUrl ? answers.emailFrom || answers.email || `noreply@${answers.hostname}` : undefined,
        PDS_DID_PLC_URL: answers.plcUrl ?? PUBLIC_DEFAULTS.plcUrl,
        PDS_BSKY_APP_VIEW_URL: answers.appviewUrl ?? PUBLIC_DEFAULTS.appViewUrl,
        PDS_BSKY_APP_VIEW_DID: answers.appviewDid ?? PUBLIC_DEFAULTS.appViewDid,
        PDS_REPORT_SERVICE_URL: PUBLIC_DEFAULTS.reportServiceUrl,
        PDS_REPORT_SERVICE_DID: PUBLIC_DEFAULTS.reportServiceDid,
        PDS_CRAWLERS: answers.crawlers ?? PUBLIC_DEFAULTS.crawlers,
        LOG_LEVEL: 'info',
      }
      try {
        buildConfig(values)
      } catch (err) {
        if (err instanceof ConfigError) fail(err.message)
        throw err
      }
      mkdirSync(dataDir, { recursive: true })
      writeEnvFile(envPath, values, `pds configuration written by \`pds init\` on ${new Date().toISOString()}`)
      console.log(nextSteps(envPath, answers.hostname!, dataDir))
    })
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
      dataDir: () => p.text({ message: 'Data directory', initialValue: defaults.dataDir ?? '/pds' }),
      handleDomains: ({ results }) =>
        p.text({ message: 'Handle domains (comma-separated, leading dot)', initialValue: defaults.handleDomains ?? `.${results.hostname}` }),
      smtpUrl: () => p.text({ message: 'SMTP URL for email (optional)', placeholder: 'smtps://user:pass@smtp.example.com:465', initialValue: defaults.smtpUrl ?? '' }),
      inviteRequired: () => p.confirm({ message: 'Require invite codes?', initialValue: defaults.inviteRequired ?? true }),
      useBluesky: () => p.confirm({ message: "Use Bluesky's public AppView, report service, PLC directory and relay?", initialValue: true }),
    },
    { onCancel: () => fail('cancelled') },
  )
  p.outro('writing pds.env')
  const custom = answers.useBluesky ? {} : { appviewUrl: undefined, crawlers: '' }
  return { ...defaults, ...answers, ...custom } as InitOptions
}

function nextSteps(envPath: string, hostname: string, dataDir: string): string {
  return `Wrote ${envPath} (mode 0600).

Next steps:
  1. DNS: an A/AAAA record for ${hostname} and a wildcard *.${hostname} pointing at this machine.
  2. TLS: put a reverse proxy in front (Caddy: "${hostname}, *.${hostname} { reverse_proxy localhost:2583 }"),
     or any proxy that forwards WebSockets (the firehose) to port 2583.
  3. Start it:  PDS_DATA_DIRECTORY=${dataDir} pds serve     (or: install.sh --systemd)
  4. Create an account:  pds account create you@example.com you.${hostname}`
}

function fail(message: string): never {
  console.error(`pds init: ${message}`)
  process.exit(1)
}
