// `pds account takedown|untakedown|delete <did|handle>`: moderation through the running server's admin API
// (com.atproto.admin.updateSubjectStatus, deleteAccount), so the firehose and sessions see it at once.
import type { Command } from 'commander'
import * as prompts from '@clack/prompts'
import { CliError, EXIT } from '../lib/errors.ts'
import { loadCliConfig } from '../lib/config.ts'
import { Output, runCommand } from '../lib/output.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'

type Options = { dataDir?: string; envFile?: string; url?: string; ref?: string; json?: boolean }

/** Resolves a handle to its DID through the server (DIDs pass through). */
async function resolveDid(client: XrpcClient, identifier: string): Promise<string> {
  if (identifier.startsWith('did:')) return identifier
  const res = await client.query<{ did: string }>('com.atproto.identity.resolveHandle', { handle: identifier.replace(/^@/, '') })
  return res.did
}

export async function setAccountTakedown(client: XrpcClient, identifier: string, applied: boolean, ref?: string) {
  const did = await resolveDid(client, identifier)
  await client.procedure('com.atproto.admin.updateSubjectStatus', {
    subject: { $type: 'com.atproto.admin.defs#repoRef', did },
    takedown: applied ? { applied: true, ...(ref ? { ref } : {}) } : { applied: false },
  })
  return client.query<{ takedown?: { applied: boolean; ref?: string } }>('com.atproto.admin.getSubjectStatus', { did }).then((s) => ({ did, takedown: s.takedown }))
}

function addOne(account: Command, name: 'takedown' | 'untakedown') {
  const applied = name === 'takedown'
  const cmd = account
    .command(name)
    .argument('<account>', 'DID or handle')
    .description(applied ? 'take an account down (hidden, sessions revoked, #account event)' : 'restore a taken-down account')
    .option('-d, --data-dir <dir>', 'data directory (default: $PDS_DATA_DIRECTORY or ./pds-data)')
    .option('-e, --env-file <file>', 'pds.env file to read (default: <data-dir>/pds.env)')
    .option('--url <url>', 'server URL (default: the local server on PDS_PORT)')
    .option('--json', 'print the result as JSON')
  if (applied) cmd.option('--ref <ref>', 'takedown reference (default: the current time)')
  cmd.action(async (identifier: string, opts: Options) => {
    const out = new Output(opts)
    await runCommand(out, async () => {
      const { config } = loadCliConfig(opts)
      const result = await setAccountTakedown(XrpcClient.admin(config, opts.url), identifier, applied, opts.ref)
      out.result(result, () => `${result.did}: ${result.takedown?.applied ? `taken down (ref ${result.takedown.ref})` : 'active (no takedown)'}`)
    })
  })
}

function addDelete(account: Command) {
  account
    .command('delete')
    .argument('<account>', 'DID or handle')
    .description('delete an account and every trace of it (repo, blobs, sessions); the firehose gets #account deleted')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('-d, --data-dir <dir>', 'data directory (default: $PDS_DATA_DIRECTORY or ./pds-data)')
    .option('-e, --env-file <file>', 'pds.env file to read (default: <data-dir>/pds.env)')
    .option('--url <url>', 'server URL (default: the local server on PDS_PORT)')
    .option('--json', 'print the result as JSON')
    .action(async (identifier: string, opts: Options & { yes?: boolean }) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const { config } = loadCliConfig(opts)
        const client = XrpcClient.admin(config, opts.url)
        const did = await resolveDid(client, identifier)
        if (!opts.yes) {
          if (!process.stdin.isTTY) throw new CliError(`refusing to delete ${did} without --yes`, EXIT.refused)
          const ok = await prompts.confirm({ message: `Delete ${identifier} (${did}) and all of its data? This cannot be undone.` })
          if (ok !== true) throw new CliError('cancelled', EXIT.refused)
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
