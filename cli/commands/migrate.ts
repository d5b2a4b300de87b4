// `pds migrate --from <old pds> --handle <handle>`: move an account (same DID) from another PDS to
// this one. Safe to stop and re-run at any point; the steps live in cli/lib/migration.ts.
import type { Command } from 'commander'
import * as p from '@clack/prompts'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { MIGRATION_STEPS, migrateAccount, type MigrationReport, type MigrationStep } from '../lib/migration.ts'
import { Output, runCommand } from '../lib/output.ts'
import { accountPassword } from '../lib/session.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'
import { withServerOptions } from '../lib/options.ts'

type MigrateFlags = {
  from: string
  handle: string
  newHandle?: string
  password?: string
  authFactorToken?: string
  email?: string
  inviteCode?: string
  plcToken?: string
  stopAfter?: string
  yes?: boolean
  url?: string
  dataDir?: string
  envFile?: string
  json?: boolean
}

export function registerMigrate(program: Command): void {
  const cmd = program
    .command('migrate')
    .description('move an account (keeping its DID) from another PDS to this server; re-run to resume')
    .requiredOption('--from <url>', 'the PDS the account lives on now, e.g. https://bsky.social')
    .requiredOption('--handle <handle>', 'the account on the old PDS (handle, DID or email)')
    .option('--new-handle <handle>', 'handle here (default: a custom-domain handle is kept, else <name>.<our domain>)')
    .option('--password <password>', 'the account password (not an app password); also the password here. Default: $PDS_ACCOUNT_PASSWORD, else asked')
    .option('--auth-factor-token <code>', 'the sign-in code the old PDS emails when the account has email two-factor on')
    .option('--email <email>', 'email for the account here (default: the one on the old PDS)')
    .option('--invite-code <code>', 'invite code, when this server requires one')
    .option('--plc-token <token>', 'the token the old PDS emailed for the PLC operation (default: requested, then asked)')
    .option('--stop-after <step>', `stop after a step and exit 0 (${MIGRATION_STEPS.join(', ')}); re-run to continue`)
    .option('-y, --yes', 'do not ask for confirmation')

  withServerOptions(cmd, 'this server (default: http://127.0.0.1:<PDS_PORT> from pds.env)').action((opts: MigrateFlags) => {
    const out = new Output(opts)
    return runCommand(out, async () => {
      const stopAfter = parseStep(opts.stopAfter)
      const to = new XrpcClient(opts.url ?? localServer(opts))
      const from = new XrpcClient(normaliseUrl(opts.from))
      await confirm(opts, to.baseUrl)
      const password = await accountPassword(opts.password, opts.handle)
      const interactive = Boolean(process.stdin.isTTY) && !opts.json
      const report = await migrateAccount({
        from,
        to,
        identifier: opts.handle,
        password,
        authFactorToken: opts.authFactorToken,
        newHandle: opts.newHandle,
        email: opts.email,
        inviteCode: opts.inviteCode,
        plcToken: opts.plcToken,
        stopAfter,
        askPlcToken: interactive ? askToken : undefined,
        onStep: (m) => out.step(m),
        onProgress: (label, done, total) => out.progress(label, done, total),
      })
      out.result({ ok: report.done || Boolean(report.stoppedAfter), ...report }, () => humanSummary(report, opts))
      if (report.waitingFor) return EXIT.refused
      return report.blobs.failed.length && report.done ? EXIT.failed : EXIT.ok
    })
  })
}

function parseStep(value: string | undefined): MigrationStep | undefined {
  if (value === undefined) return undefined
  if (!(MIGRATION_STEPS as readonly string[]).includes(value)) throw new CliError(`--stop-after must be one of ${MIGRATION_STEPS.join(', ')}`, EXIT.usage)
  return value as MigrationStep
}

function localServer(opts: MigrateFlags): string {
  const { config } = loadCliConfig(opts)
  return `http://127.0.0.1:${config.service.port}`
}

function normaliseUrl(url: string): string {
  const withScheme = /^https?:\/\//.test(url) ? url : `https://${url}`
  try {
    return new URL(withScheme).origin
  } catch {
    throw new CliError(`--from: not a URL: ${url}`, EXIT.usage)
  }
}

async function confirm(opts: MigrateFlags, target: string): Promise<void> {
  if (opts.yes) return
  if (!process.stdin.isTTY) throw new CliError('migrate changes the account identity and deactivates it on the old server: pass --yes to go ahead', EXIT.usage)
  const ok = await p.confirm({
    message: `Move ${opts.handle} from ${opts.from} to ${target}? Its DID will point here and the old account will be deactivated.`,
    initialValue: false,
  })
  if (p.isCancel(ok) || !ok) throw new CliError('cancelled', EXIT.refused)
}

async function askToken(email: string | undefined): Promise<string | null> {
  const answer = await p.text({
    message: `The old PDS emailed a confirmation token${email ? ` to ${email}` : ''}. Paste it here (like ABCDE-23456):`,
    validate: (v) => (v && v.trim() ? undefined : 'the token is required'),
  })
  if (p.isCancel(answer)) return null
  return answer.trim()
}

function humanSummary(report: MigrationReport, opts: MigrateFlags): string {
  if (report.waitingFor === 'plc-token') {
    return [
      `${report.did}: data copied; the old PDS emailed a confirmation token.`,
      `Finish with: pds migrate --from ${opts.from} --handle ${opts.handle} --plc-token <TOKEN> --yes`,
    ].join('\n')
  }
  if (report.stoppedAfter) return `${report.did}: stopped after ${report.stoppedAfter}; run the same command without --stop-after to continue`
  const lines = [`${report.did} now lives here as ${report.handle}`]
  if (report.blobs.failed.length)
    lines.push(`  ${report.blobs.failed.length} blobs could not be fetched from the old PDS: ${report.blobs.failed.slice(0, 5).join(', ')}`)
  return lines.join('\n')
}
