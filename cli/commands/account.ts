// `pds account create|list|reset-password|reset-2fa`: account administration over the running server's XRPC
// (admin Basic auth from pds.env), never by opening the databases.
import type { Command } from 'commander'
import { randomBytes } from 'node:crypto'
import type { Config } from '../../src/config/config.ts'
import { findAccount, fullHandle } from '../lib/account-lookup.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { loadCliConfig, type ConfigOptions } from '../lib/config.ts'
import { withServerOptions } from '../lib/options.ts'
import { formatTable, Output, runCommand } from '../lib/output.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'

type CommonOptions = ConfigOptions & { url?: string; json?: boolean }

export type AccountRow = { did: string; handle: string; email: string | null; status: string }

/** A password an operator can read out: 4 groups of 5 base32 characters (100 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  const chars = Array.from(randomBytes(20), (b) => alphabet[b & 31]).join('')
  return chars.match(/.{5}/g)!.join('-')
}

function adminClient(opts: CommonOptions): { config: Config; client: XrpcClient } {
  const { config } = loadCliConfig(opts)
  return { config, client: XrpcClient.admin(config, opts.url) }
}

export async function createAccount(opts: CommonOptions & { email: string; handle: string; password?: string }) {
  const { config, client } = adminClient(opts)
  const password = opts.password ?? generatePassword()
  const handle = fullHandle(opts.handle, config)
  // With invites required, the operator's own sign-up spends a fresh single-use code.
  const inviteCode = config.invites.required
    ? (await client.procedure<{ code: string }>('com.atproto.server.createInviteCode', { useCount: 1 })).code
    : undefined
  const created = await client
    .withAuthorization(undefined)
    .procedure<{ did: string; handle: string }>('com.atproto.server.createAccount', { email: opts.email, handle, password, inviteCode })
  return { did: created.did, handle: created.handle, email: opts.email, password: opts.password ? undefined : password }
}

/** Every account, page by page: states from sync.listRepos, handles and emails from admin.getAccountInfos. */
export async function listAccounts(client: XrpcClient, pageSize = 500): Promise<AccountRow[]> {
  const repos: Array<{ did: string; active: boolean; status?: string }> = []
  let cursor: string | undefined
  do {
    const page = await client.query<{ repos: Array<{ did: string; active: boolean; status?: string }>; cursor?: string }>('com.atproto.sync.listRepos', { limit: pageSize, cursor })
    repos.push(...page.repos)
    cursor = page.repos.length > 0 ? page.cursor : undefined
  } while (cursor)
  const infos = new Map<string, { handle: string; email?: string }>()
  for (let i = 0; i < repos.length; i += 100) {
    const dids = repos.slice(i, i + 100).map((r) => r.did)
    const res = await client.query<{ infos: Array<{ did: string; handle: string; email?: string }> }>('com.atproto.admin.getAccountInfos', { dids })
    for (const info of res.infos) infos.set(info.did, info)
  }
  return repos.map((r) => ({
    did: r.did,
    handle: infos.get(r.did)?.handle ?? 'handle.invalid',
    email: infos.get(r.did)?.email ?? null,
    status: r.active ? 'active' : (r.status ?? 'inactive'),
  }))
}

export async function resetPassword(opts: CommonOptions & { account: string; password?: string }) {
  const { config, client } = adminClient(opts)
  const { did } = findAccount(config, opts.account)
  const password = opts.password ?? generatePassword()
  await client.procedure('com.atproto.admin.updateAccountPassword', { did, password })
  return { did, password }
}

/** What an <account> argument may be (cli/lib/account-lookup.ts). */
export const ACCOUNT_ARGUMENT = 'handle, short handle, email or DID'

/** Removes every second factor of an account (POST /_admin/reset-2fa: no lexicon defines this). */
export async function resetTwoFactor(opts: CommonOptions & { account: string }) {
  const { config, client } = adminClient(opts)
  const { did } = findAccount(config, opts.account)
  const res = await fetch(new URL('/_admin/reset-2fa', client.baseUrl), {
    method: 'POST',
    headers: { authorization: client.authorization!, 'content-type': 'application/json' },
    body: JSON.stringify({ account: did }),
  }).catch((err: Error) => {
    throw new CliError(`cannot reach the server at ${client.baseUrl} (${err.message}); is \`pds serve\` running?`, EXIT.unavailable)
  })
  const body = (await res.json().catch(() => ({}))) as { did?: string; removed?: Record<string, unknown>; message?: string }
  if (!res.ok) throw new CliError(`reset-2fa: ${body.message ?? `HTTP ${res.status}`}`, EXIT.failed)
  return { did, removed: body.removed }
}

export function registerAccount(program: Command): void {
  const account = program.command('account').description('create, list and manage accounts on the running server')
  const common = (cmd: Command) => withServerOptions(cmd)

  common(account.command('create').argument('<email>').argument('<handle>', 'handle, or a name under the first handle domain'))
    .description('create an account (prints the password when it was generated)')
    .option('-p, --password <password>', 'the password (default: a generated one, printed once)')
    .action(async (email: string, handle: string, opts: CommonOptions & { password?: string }) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const created = await createAccount({ ...opts, email, handle })
        out.result(created, () =>
          [`created ${created.handle}`, `did:      ${created.did}`, `email:    ${created.email}`, ...(created.password ? [`password: ${created.password}`] : [])].join('\n'),
        )
      })
    })

  common(account.command('list'))
    .description('list every account: handle, email, DID, status')
    .action(async (opts: CommonOptions) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const rows = await listAccounts(adminClient(opts).client)
        out.result({ accounts: rows }, () =>
          rows.length === 0 ? 'no accounts' : formatTable(['HANDLE', 'EMAIL', 'DID', 'STATUS'], rows.map((r) => [r.handle, r.email ?? '-', r.did, r.status])),
        )
      })
    })

  common(account.command('reset-password').argument('<account>', ACCOUNT_ARGUMENT))
    .description('set a new password (generated and printed unless given); ends the account\'s sessions')
    .option('-p, --password <password>', 'the new password (default: a generated one)')
    .action(async (target: string, opts: CommonOptions & { password?: string }) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const given = opts.password
        const res = await resetPassword({ ...opts, account: target })
        out.result(given ? { did: res.did } : res, () => (given ? `password updated for ${res.did}` : `new password for ${res.did}: ${res.password}`))
      })
    })

  common(account.command('reset-2fa').argument('<account>', ACCOUNT_ARGUMENT))
    .description('remove every second factor (authenticator app, backup codes, email codes); mails the holder, audited')
    .action(async (target: string, opts: CommonOptions) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const res = await resetTwoFactor({ ...opts, account: target })
        out.result(res, () => `second factors removed for ${res.did}; they can sign in with their password alone`)
      })
    })
}
