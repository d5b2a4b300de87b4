// `pds restore-account --car repo.car --rotation-key <key or file>`: bring back an account whose server
// is gone, on this (running) server. The flow is in cli/lib/restore-account.ts.
import type { Command } from 'commander'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { Output, runCommand } from '../lib/output.ts'
import { withServerOptions } from '../lib/options.ts'
import { restoreAccount } from '../lib/restore-account.ts'
import { XrpcClient } from '../lib/xrpc-client.ts'
import { generatePassword } from './account.ts'

type RestoreFlags = {
  car: string
  rotationKey: string
  blobs?: string
  handle?: string
  email: string
  password?: string
  inviteCode?: string
  url?: string
  dataDir?: string
  envFile?: string
  json?: boolean
}

export function registerRestoreAccount(program: Command): void {
  const cmd = program
    .command('restore-account')
    .description('restore an account whose server is gone, from its repo CAR and a PLC rotation key of its DID')
    .requiredOption('--car <file>', 'the repo CAR (an earlier getRepo or `pds export`)')
    .requiredOption('--rotation-key <key|file>', 'a rotation key of the DID: 32-byte private key in hex, or a file holding it')
    .requiredOption('--email <email>', "the account's email address here")
    .option('--blobs <dir>', 'folder of blobs named by CID (as `pds export --blobs` writes)')
    .option('--handle <handle>', "the handle here (default: the DID document's)")
    .option('--password <password>', 'the password here (default: generated and printed)')
    .option('--invite-code <code>', 'when this server requires one')
  withServerOptions(cmd, 'server to restore into (default: http://127.0.0.1:<PDS_PORT>)').action((opts: RestoreFlags) => {
    const out = new Output(opts)
    return runCommand(out, async () => {
      const carPath = resolve(opts.car)
      if (!existsSync(carPath)) throw new CliError(`${carPath} does not exist`, EXIT.usage)
      if (opts.blobs && !existsSync(opts.blobs)) throw new CliError(`${resolve(opts.blobs)} does not exist`, EXIT.usage)
      const { config } = loadCliConfig(opts)
      const password = opts.password ?? generatePassword()
      const report = await restoreAccount({
        admin: XrpcClient.admin(config, opts.url),
        plcUrl: config.identity.plcUrl,
        carBytes: new Uint8Array(readFileSync(carPath)),
        rotationKey: opts.rotationKey,
        blobDir: opts.blobs,
        handle: opts.handle,
        email: opts.email,
        password,
        inviteCode: opts.inviteCode,
        onStep: (m) => out.step(m),
      })
      const result = { ok: true, ...report, password: opts.password ? undefined : password }
      out.result(result, () =>
        [
          `Restored ${report.did} as ${report.handle}: ${report.records} records, ${report.blobs.uploaded} blobs uploaded.`,
          report.blobs.missing.length ? `Missing blobs (upload them later with \`pds import\`): ${report.blobs.missing.join(', ')}` : '',
          opts.password ? '' : `Password: ${password}`,
          `The DID's rotation keys still start with ${report.rotationKey}: keep that key safe.`,
        ]
          .filter(Boolean)
          .join('\n'),
      )
    })
  })
}
