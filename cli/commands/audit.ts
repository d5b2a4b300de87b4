// `pds audit [--limit N] [--json]`: the operator audit log of the running server (GET /_admin/audit, admin
// Basic auth from pds.env), newest first: who, what, to whom, when, from where.
import type { Command } from 'commander'
import { CliError, EXIT } from '../lib/errors.ts'
import { loadCliConfig, type ConfigOptions } from '../lib/config.ts'
import { withServerOptions } from '../lib/options.ts'
import { formatTable, Output, runCommand } from '../lib/output.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'

export type AuditEntry = { id: number; at: string; actor: string; actorHandle?: string; action: string; subject: string; detail?: string; ip?: string }

/** The server answers at most this many a page; longer --limit values are read page by page. */
const PAGE = 500

export async function readAudit(opts: ConfigOptions & { url?: string; limit: number }): Promise<AuditEntry[]> {
  const { config } = loadCliConfig(opts)
  const client = XrpcClient.admin(config, opts.url)
  const entries: AuditEntry[] = []
  let cursor: string | undefined
  do {
    const url = new URL('/_admin/audit', client.baseUrl)
    url.searchParams.set('limit', String(Math.min(PAGE, opts.limit - entries.length)))
    if (cursor) url.searchParams.set('cursor', cursor)
    const res = await fetch(url, { headers: { authorization: client.authorization! } }).catch((err: Error) => {
      throw new CliError(`cannot reach the server at ${client.baseUrl} (${err.message}); is \`pds serve\` running?`, EXIT.unavailable)
    })
    const body = (await res.json().catch(() => ({}))) as { entries?: AuditEntry[]; cursor?: string; message?: string }
    if (!res.ok || !body.entries) throw new CliError(`audit: ${body.message ?? `HTTP ${res.status}`}`, EXIT.failed)
    entries.push(...body.entries)
    cursor = body.cursor
  } while (cursor && entries.length < opts.limit)
  return entries
}

const who = (e: AuditEntry) => (e.actorHandle ? `@${e.actorHandle}` : e.actor)

export function registerAudit(program: Command): void {
  withServerOptions(program.command('audit'))
    .description('print the operator audit log (console actions, reset-2fa, console sign-ins), newest first')
    .option('-n, --limit <n>', 'how many entries', '50')
    .action(async (opts: ConfigOptions & { url?: string; json?: boolean; limit: string }) => {
      const out = new Output(opts)
      await runCommand(out, async () => {
        const limit = Number(opts.limit)
        if (!/^\d+$/.test(opts.limit) || limit < 1) throw new CliError('--limit must be a whole number above 0', EXIT.usage)
        const entries = await readAudit({ ...opts, limit })
        out.result({ entries }, () =>
          entries.length === 0
            ? 'no audit entries'
            : formatTable(
                ['WHEN', 'WHO', 'ACTION', 'SUBJECT', 'DETAIL', 'FROM'],
                entries.map((e) => [e.at.slice(0, 19).replace('T', ' '), who(e), e.action, e.subject || '-', e.detail ?? '', e.ip ?? '']),
              ),
        )
      })
    })
}
