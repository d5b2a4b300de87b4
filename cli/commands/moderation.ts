// `pds moderation enable <handle>`: turns on the bundled moderation service with that account as the team
// lead (its #atproto_label key, DID document entries and labeler record), creating the account first when
// --email is given and it does not exist yet. `pds moderation rotate-label-key`: a new #atproto_label key.
// Both talk to the running server (POST /_admin/moderation/enable, /_admin/moderation/rotate-label-key).
import type { Command } from 'commander'
import { CliError, EXIT } from '../lib/errors.ts'
import { loadCliConfig, type ConfigOptions } from '../lib/config.ts'
import { withServerOptions } from '../lib/options.ts'
import { Output, runCommand } from '../lib/output.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'
import { createAccount } from './account.ts'

type Options = ConfigOptions & { url?: string; json?: boolean; email?: string; password?: string; labels?: string }

type Enabled = { did: string; handle: string; labelKey: string; didDocUpdated: boolean; labelValues: string[] }

export async function enableModeration(opts: Options & { handle: string }): Promise<Enabled & { password?: string }> {
  const { config } = loadCliConfig(opts)
  const client = XrpcClient.admin(config, opts.url)
  const post = () =>
    fetch(new URL('/_admin/moderation/enable', client.baseUrl), {
      method: 'POST',
      headers: { authorization: client.authorization!, 'content-type': 'application/json' },
      body: JSON.stringify({ account: opts.handle, labelValues: opts.labels?.split(',').map((v) => v.trim()).filter(Boolean) }),
    }).catch((err: Error) => {
      throw new CliError(`cannot reach the server at ${client.baseUrl} (${err.message}); is \`pds serve\` running?`, EXIT.unavailable)
    })
  let res = await post()
  let body = (await res.json().catch(() => ({}))) as Enabled & { error?: string; message?: string }
  let password: string | undefined
  if (!res.ok && body.error === 'AccountNotFound' && opts.email) {
    password = (await createAccount({ ...opts, email: opts.email, handle: opts.handle })).password
    res = await post()
    body = (await res.json().catch(() => ({}))) as typeof body
  }
  if (!res.ok) {
    const hint = body.error === 'AccountNotFound' ? ' (create it first, or pass --email to create it now)' : ''
    throw new CliError(`moderation enable: ${body.message ?? `HTTP ${res.status}`}${hint}`, EXIT.failed)
  }
  return { ...body, ...(password ? { password } : {}) }
}

type Rotated = { did: string; labelKey: string; previousKey: string }

/** POST /_admin/moderation/rotate-label-key on the running server. */
export async function rotateLabelKey(opts: Options): Promise<Rotated> {
  const { config } = loadCliConfig(opts)
  const client = XrpcClient.admin(config, opts.url)
  const res = await fetch(new URL('/_admin/moderation/rotate-label-key', client.baseUrl), { method: 'POST', headers: { authorization: client.authorization! } }).catch((err: Error) => {
    throw new CliError(`cannot reach the server at ${client.baseUrl} (${err.message}); is \`pds serve\` running?`, EXIT.unavailable)
  })
  const body = (await res.json().catch(() => ({}))) as Rotated & { message?: string }
  if (!res.ok) throw new CliError(`moderation rotate-label-key: ${body.message ?? `HTTP ${res.status}`}`, EXIT.failed)
  return body
}

export function registerModeration(program: Command): void {
  const moderation = program.command('moderation').description('the bundled moderation service and labeler (README "Moderation")')
  withServerOptions(moderation.command('enable').argument('<handle>', 'the team account (its handle or DID)'))
    .description('make this account the moderation team lead: label key, DID document, labeler record')
    .option('--email <email>', 'create the account with this email if it does not exist')
    .option('-p, --password <password>', 'its password when created (default: generated, printed once)')
    .option('--labels <list>', 'the label values the labeler declares, comma-separated (default: the current ones, or !hide,!warn,!takedown,porn,sexual,nudity,graphic-media,spam)')
    .action(async (handle: string, opts: Options) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const result = await enableModeration({ ...opts, handle })
        out.result(result, () =>
          [
            `moderation team lead: ${result.handle} (${result.did})`,
            `label key (#atproto_label): ${result.labelKey}`,
            `labeler endpoint (#atproto_labeler): ${result.didDocUpdated ? 'added to the DID document' : 'already in the DID document'}`,
            `label values: ${result.labelValues.join(', ')}`,
            ...(result.password ? [`password: ${result.password}`] : []),
            'Set PDS_MOD_TEAM_HANDLE in pds.env to keep this choice explicit.',
          ].join('\n'),
        )
      })
    })
  withServerOptions(moderation.command('rotate-label-key'))
    .description('replace the team\'s #atproto_label key: a new key, the DID document updated, labels signed again as they are served')
    .action(async (opts: Options) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const result = await rotateLabelKey(opts)
        out.result(result, () =>
          [
            `label key (#atproto_label) of ${result.did}: ${result.labelKey}`,
            `previous key: ${result.previousKey} (no longer in the DID document)`,
            'Labels issued before are signed again with the new key as they are next served. Take a new backup: the new key is in it.',
          ].join('\n'),
        )
      })
    })
}
