// `pds export <handle|did>`: the account's repo as a CAR file (com.atproto.sync.getRepo) and,
// with --blobs, every blob (sync.listBlobs + sync.getBlob) into a folder, named by CID.
import type { Command } from 'commander'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { formatBytes, Output, runCommand } from '../lib/output.ts'
import { XrpcClient, XrpcResponseError } from '../lib/xrpc-client.ts'
import { withServerOptions } from '../lib/options.ts'

export type ExportResult = { did: string; out: string; bytes: number; blobs: number; blobsSkipped: number; blobDir: string | null }

export async function exportAccount(
  client: XrpcClient,
  opts: { account: string; out?: string; blobDir?: string; force?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<ExportResult> {
  const did = await resolveDid(client, opts.account)
  const out = resolve(opts.out ?? `${opts.account.replace(/[:/]/g, '_')}.car`)
  if (existsSync(out) && !opts.force) throw new CliError(`${out} already exists; pass --force to overwrite it`, EXIT.refused)
  const car = await client.queryBytes('com.atproto.sync.getRepo', { did })
  mkdirSync(dirname(out), { recursive: true }) // --out backups/alice.car works without a mkdir first
  writeFileSync(out, car.bytes)
  const result: ExportResult = { did, out, bytes: car.bytes.length, blobs: 0, blobsSkipped: 0, blobDir: null }
  if (!opts.blobDir) return result

  const blobDir = resolve(opts.blobDir)
  mkdirSync(blobDir, { recursive: true })
  result.blobDir = blobDir
  const cids = await listAllBlobs(client, did)
  for (const [i, cid] of cids.entries()) {
    opts.onProgress?.(i, cids.length)
    const path = join(blobDir, cid)
    if (existsSync(path)) {
      result.blobsSkipped++ // content-addressed: an existing file of that name is that blob
      continue
    }
    const blob = await client.queryBytes('com.atproto.sync.getBlob', { did, cid })
    writeFileSync(path, blob.bytes)
    result.blobs++
  }
  opts.onProgress?.(cids.length, cids.length)
  return result
}

async function listAllBlobs(client: XrpcClient, did: string): Promise<string[]> {
  const cids: string[] = []
  let cursor: string | undefined
  do {
    const page = await client.query<{ cursor?: string; cids: string[] }>('com.atproto.sync.listBlobs', { did, limit: 1000, cursor })
    cids.push(...page.cids)
    cursor = page.cids.length ? page.cursor : undefined
  } while (cursor)
  return cids
}

export async function resolveDid(client: XrpcClient, account: string): Promise<string> {
  if (account.startsWith('did:')) return account
  try {
    const res = await client.query<{ did: string }>('com.atproto.repo.describeRepo', { repo: account })
    return res.did
  } catch (err) {
    if (err instanceof XrpcResponseError && err.status === 400) throw new CliError(`no account ${account} on ${client.baseUrl}`, EXIT.failed)
    throw err
  }
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description("write an account's repo to a CAR file (and its blobs to a folder) from the running server")
    .argument('<account>', 'handle or DID')
    .option('-o, --out <file>', 'CAR file to write (default: <account>.car)')
    .option('--blobs <dir>', 'also download every blob into this folder (one file per CID)')
    .option('--force', 'overwrite an existing CAR file')

  withServerOptions(cmd, 'server to export from (default: http://127.0.0.1:<PDS_PORT>)').action(
    (account: string, opts: { out?: string; blobs?: string; force?: boolean; url?: string; dataDir?: string; envFile?: string; json?: boolean }) => {
      const out = new Output(opts)
      return runCommand(out, async () => {
        const client = opts.url && !opts.dataDir && !opts.envFile ? new XrpcClient(opts.url) : XrpcClient.admin(loadCliConfig(opts).config, opts.url)
        const result = await exportAccount(client, {
          account,
          out: opts.out,
          blobDir: opts.blobs,
          force: opts.force,
          onProgress: (done, total) => out.progress('Blobs', done, total),
        })
        out.result({ ok: true, ...result }, () =>
          [
            `Exported ${result.did} to ${result.out} (${formatBytes(result.bytes)})`,
            result.blobDir ? `  ${result.blobs} blobs written to ${result.blobDir}${result.blobsSkipped ? `, ${result.blobsSkipped} already there` : ''}` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        )
      })
    },
  )
}
