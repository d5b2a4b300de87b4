// `pds invite create [--uses N] [--count N] [--for DID]`: invite codes from the running server's admin XRPC.
import type { Command } from 'commander'
import { loadCliConfig, type ConfigOptions } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { Output, runCommand } from '../lib/output.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'
import { withServerOptions } from '../lib/options.ts'

type InviteOptions = ConfigOptions & { url?: string; json?: boolean; uses?: string; count?: string; for?: string }

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive whole number`, EXIT.usage)
  return n
}

export async function createInvites(opts: InviteOptions): Promise<string[]> {
  const useCount = positive(opts.uses, 'uses', 1)
  const codeCount = positive(opts.count, 'count', 1)
  const { config } = loadCliConfig(opts)
  const client = XrpcClient.admin(config, opts.url)
  const res = await client.procedure<{ codes: Array<{ account: string; codes: string[] }> }>('com.atproto.server.createInviteCodes', {
    useCount,
    codeCount,
    forAccounts: opts.for ? [opts.for] : undefined,
  })
  return res.codes.flatMap((c) => c.codes)
}

export function registerInvite(program: Command): void {
  const invite = program.command('invite').description('invite codes')
  withServerOptions(
    invite
      .command('create')
      .description('create invite codes (printed one per line)')
      .option('-u, --uses <n>', 'how many accounts each code can create', '1')
      .option('-n, --count <n>', 'how many codes', '1')
      .option('--for <did>', 'the account the codes belong to (default: admin)'),
  ).action(async (opts: InviteOptions) => {
    const out = new Output(opts)
    await runCommand(out, async () => {
      const codes = await createInvites(opts)
      out.result({ codes }, () => codes.join('\n'))
    })
  })
}
