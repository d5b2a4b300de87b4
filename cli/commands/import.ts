// `pds import <repo.car> --did …`: replace an account's repo with a CAR (com.atproto.repo.importRepo,
// as the account), then upload the blobs its records reference that the server lacks.
import type { Command } from 'commander'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { readCar } from '../../src/core/car.ts'
import { decodeCommit } from '../../src/core/commit.ts'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { formatBytes, Output, runCommand } from '../lib/output.ts'
import { accountPassword, login } from '../lib/session.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'
import { withServerOptions } from '../lib/options.ts'

export type ImportResult = { did: string; bytes: number; blobsUploaded: number; blobsMissing: string[] }

/** The DID the CAR's commit is for: checked before anything is sent. */
export function carDid(bytes: Uint8Array): string {
  const car = readCar(bytes)
  const root = car.roots[0]
  const commit = root && car.blocks.get(root.toString())
  if (!commit) throw new CliError('the CAR file has no commit block at its root', EXIT.usage)
  return decodeCommit(commit.bytes).did
}

export async function importRepo(
  client: XrpcClient,
  opts: { carBytes: Uint8Array; did: string; blobDir?: string; onProgress?: (done: number, total: number) => void },
): Promise<ImportResult> {
  await client.procedure('com.atproto.repo.importRepo', opts.carBytes, 'application/vnd.ipld.car')
  const missing = await listAllMissing(client)
  const result: ImportResult = { did: opts.did, bytes: opts.carBytes.length, blobsUploaded: 0, blobsMissing: [] }
  for (const [i, cid] of missing.entries()) {
    opts.onProgress?.(i, missing.length)
    const path = opts.blobDir ? join(opts.blobDir, cid) : null
    if (!path || !existsSync(path)) {
      result.blobsMissing.push(cid)
      continue
    }
    // The server sniffs the type; the records already say what the blob is.
    await client.procedure('com.atproto.repo.uploadBlob', new Uint8Array(readFileSync(path)), 'application/octet-stream')
    result.blobsUploaded++
  }
  opts.onProgress?.(missing.length, missing.length)
  return result
}

async function listAllMissing(client: XrpcClient): Promise<string[]> {
  const cids: string[] = []
  let cursor: string | undefined
  do {
    const page = await client.query<{ cursor?: string; blobs: Array<{ cid: string }> }>('com.atproto.repo.listMissingBlobs', { limit: 1000, cursor })
    cids.push(...page.blobs.map((b) => b.cid))
    cursor = page.blobs.length ? page.cursor : undefined
  } while (cursor)
  return cids
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description("replace an account's repo with a CAR file (and upload its blobs) on the running server")
    .argument('<car>', 'repo CAR file, e.g. from `pds export`')
    .requiredOption('--did <did>', 'the account to import into (must match the CAR)')
    .option('--blobs <dir>', 'folder of blobs named by CID (as `pds export --blobs` writes)')
    .option('--identifier <handle>', 'log in with this handle or email (default: the DID)')
    .option('--password <password>', 'account password (default: $PDS_ACCOUNT_PASSWORD, else asked)')

  withServerOptions(cmd, 'server to import into (default: http://127.0.0.1:<PDS_PORT>)').action(
    (
      file: string,
      opts: { did: string; blobs?: string; identifier?: string; password?: string; url?: string; dataDir?: string; envFile?: string; json?: boolean },
    ) => {
      const out = new Output(opts)
      return runCommand(out, async () => {
        const path = resolve(file)
        if (!existsSync(path)) throw new CliError(`${path} does not exist`, EXIT.usage)
        const carBytes = new Uint8Array(readFileSync(path))
        const did = carDid(carBytes)
        if (did !== opts.did) throw new CliError(`${file} holds the repo of ${did}, not ${opts.did}`, EXIT.usage)
        const base = opts.url && !opts.dataDir && !opts.envFile ? new XrpcClient(opts.url) : XrpcClient.admin(loadCliConfig(opts).config, opts.url)
        const identifier = opts.identifier ?? opts.did
        const session = await login(base, identifier, await accountPassword(opts.password, identifier))
        if (session.did !== opts.did) throw new CliError(`${identifier} is ${session.did}, not ${opts.did}`, EXIT.usage)
        const result = await importRepo(session.client, {
          carBytes,
          did,
          blobDir: opts.blobs && resolve(opts.blobs),
          onProgress: (d, t) => out.progress('Blobs', d, t),
        })
        out.result({ ok: result.blobsMissing.length === 0, ...result }, () =>
          [
            `Imported ${formatBytes(result.bytes)} into ${did}; ${result.blobsUploaded} blobs uploaded`,
            result.blobsMissing.length
              ? `  ${result.blobsMissing.length} blobs still missing (pass --blobs DIR): ${result.blobsMissing.slice(0, 5).join(', ')}`
              : '',
          ]
            .filter(Boolean)
            .join('\n'),
        )
        return result.blobsMissing.length ? EXIT.failed : EXIT.ok
      })
    },
  )
}
