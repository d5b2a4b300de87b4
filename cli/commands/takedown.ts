// `pds account takedown|untakedown|delete <account>`: moderation through the running server's admin API
// (com.atproto.admin.updateSubjectStatus, deleteAccount), so the firehose and sessions see it at once.
// The account is found in the account database (cli/lib/account-lookup.ts), so a taken-down account
// can be named by its handle too.
import type { Command } from 'commander'
import * as prompts from '@clack/prompts'
import { findAccount } from '../lib/account-lookup.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { loadCliConfig, type ConfigOptions } from '../lib/config.ts'
import { withServerOptions } from '../lib/options.ts'
import { Output, runCommand } from '../lib/output.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'
import { ACCOUNT_ARGUMENT } from './account.ts'

type Options = ConfigOptions & { url?: string; ref?: string; json?: boolean }

export async function setAccountTakedown(client: XrpcClient, did: string, applied: boolean, ref?: string) {
  await client.procedure('com.atproto.admin.updateSubjectStatus', {
    subject: { $type: 'com.atproto.admin.defs#repoRef', did },
    takedown: applied ? { applied: true, ...(ref ? { ref } : {}) } : { applied: false },
  })
  return client
    .query<{ takedown?: { applied: boolean; ref?: string } }>('com.atproto.admin.getSubjectStatus', { did })
    .then((s) => ({ did, takedown: s.takedown }))
}

function addOne(account: Command, name: 'takedown' | 'untakedown') {
  const applied = name === 'takedown'
  const cmd = withServerOptions(
    account
      .command(name)
      .argument('<account>', ACCOUNT_ARGUMENT)
      .description(applied ? 'take an account down (hidden, sessions revoked, #account event)' : 'restore a taken-down account'),
  )
  if (applied) cmd.option('--ref <ref>', 'takedown reference (default: the current time)')
  cmd.action(async (identifier: string, opts: Options) => {
    const out = new Output(opts)
    await runCommand(out, async () => {
      const { config } = loadCliConfig(opts)
      const { did } = findAccount(config, identifier)
      const result = await setAccountTakedown(XrpcClient.admin(config, opts.url), did, applied, opts.ref)
      out.result(result, () => `${result.did}: ${result.takedown?.applied ? `taken down (ref ${result.takedown.ref})` : 'active (no takedown)'}`)
    })
  })
}

function addDelete(account: Command) {
  withServerOptions(
    account
      .command('delete')
      .argument('<account>', ACCOUNT_ARGUMENT)
      .description('delete an account and every trace of it (repo, blobs, sessions); the firehose gets #account deleted')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (identifier: string, opts: Options & { yes?: boolean }) => {
    const out = new Output(opts)
    await runCommand(out, async () => {
      const { config } = loadCliConfig(opts)
      const client = XrpcClient.admin(config, opts.url)
      const { did, handle } = findAccount(config, identifier)
      if (!opts.yes) {
        if (!process.stdin.isTTY) throw new CliError(`refusing to delete ${did} without --yes`, EXIT.refused)
        // Enter alone must not delete: the answer defaults to No.
        const ok = await prompts.confirm({
          message: `Delete ${handle ?? identifier} (${did}) and all of its data? This cannot be undone.`,
          initialValue: false,
        })
        if (ok !== true) throw new CliError('cancelled; nothing was deleted', EXIT.refused)
      }
      await client.procedure('com.atproto.admin.deleteAccount', { did })
      out.result({ did, deleted: true }, () => `${did}: deleted`)
    })
  })
}

/** Attaches the moderation subcommands to an existing `account` command (cli/commands/account.ts). */
export function addTakedownCommands(account: Command): void {
  addOne(account, 'takedown')
  addOne(account, 'untakedown')
  addDelete(account)
}

/** Standalone registration: reuses `pds account` if it is already registered, else creates it. */
export function registerTakedown(program: Command): void {
  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('manage accounts')
  addTakedownCommands(account)
}
