// `pds keys encrypt|decrypt`: converts every private key of a stopped server's data directory to
// the encrypted (PDS_KEY_ENCRYPTION_KEY) or the plain form, in place and crash-safely.
import type { Command } from 'commander'
import { dirname, join, relative, resolve } from 'node:path'
import { readEnvFile } from '../../src/config/env.ts'
import { KeyFileError } from '../../src/services/repo/keys.ts'
import { DataDirectoryLockedError, lockDataDirectory } from '../../src/services/data-directory.ts'
import { convertKeys } from '../../src/services/repo/convert-keys.ts'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { withConfigOptions, withJsonOption } from '../lib/options.ts'
import { Output, runCommand } from '../lib/output.ts'

type Opts = { dataDir?: string; envFile?: string; json?: boolean; quiet?: boolean }

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('encrypt or decrypt the signing keys and the PLC rotation key at rest')
  for (const to of ['sealed', 'plain'] as const) {
    const name = to === 'sealed' ? 'encrypt' : 'decrypt'
    withJsonOption(withConfigOptions(keys.command(name)))
      .option('-q, --quiet', 'no progress output')
      .description(
        to === 'sealed'
          ? 'encrypt every key file and the rotation key in pds.env with PDS_KEY_ENCRYPTION_KEY (or _FILE); the server must be stopped'
          : 'turn every encrypted key back into a plain key file (the reference PDS format); the server must be stopped',
      )
      .action((opts: Opts) => {
        const out = new Output(opts)
        return runCommand(out, async () => {
          const { config, envFile } = loadCliConfig(opts)
          const kek = config.secrets.keyEncryption
          if (!kek) throw new CliError('no key encryption key: set PDS_KEY_ENCRYPTION_KEY or PDS_KEY_ENCRYPTION_KEY_FILE (32 random bytes in hex: openssl rand -hex 32), kept outside the data directory', EXIT.config)
          if (to === 'sealed') refuseKeyBesideData(config.db.dataDirectory, envFile, kek.source)
          try {
            lockDataDirectory(config.db.dataDirectory, `pds keys ${name}`)
          } catch (err) {
            if (err instanceof DataDirectoryLockedError) throw new CliError(err.message, EXIT.refused)
            throw err
          }
          let result
          try {
            result = convertKeys({ actorStoreDirectory: config.db.actorStoreDirectory, envFile, moderationDirectory: join(config.db.dataDirectory, 'moderation') }, kek.sealer, to, (done, total) => out.progress('Keys', done, total))
          } catch (err) {
            if (err instanceof KeyFileError) throw new CliError(`${err.message}; nothing was changed`, EXIT.failed)
            throw err
          }
          out.result({ ok: true, to: name === 'encrypt' ? 'encrypted' : 'plain', keyEncryptionKeyId: kek.sealer.idHex, ...result }, () =>
            [
              `${name === 'encrypt' ? 'Encrypted' : 'Decrypted'} ${result.converted} key files (${result.unchanged} already ${name === 'encrypt' ? 'encrypted' : 'plain'})`,
              result.rotationKey === 'converted'
                ? `  and the PLC rotation key in ${envFile}`
                : result.rotationKey === 'unchanged'
                  ? `  the PLC rotation key in ${envFile} already was`
                  : '  the PLC rotation key is not in pds.env (set in the environment?): left as it is',
            ].join('\n'),
          )
        })
      })
  }
}

/** A key encryption key stored in the data directory protects nothing against someone holding it. */
function refuseKeyBesideData(dataDirectory: string, envFile: string, source: string): void {
  const inside = (path: string) => !relative(resolve(dataDirectory), resolve(path)).startsWith('..')
  if (source === 'PDS_KEY_ENCRYPTION_KEY' && readEnvFile(envFile)?.PDS_KEY_ENCRYPTION_KEY && inside(dirname(envFile))) {
    throw new CliError(`PDS_KEY_ENCRYPTION_KEY is in ${envFile}, inside the data directory: a copy of the directory would hold the key too. Set it in the environment or in a file outside it (PDS_KEY_ENCRYPTION_KEY_FILE)`, EXIT.refused)
  }
  if (source !== 'PDS_KEY_ENCRYPTION_KEY' && inside(source)) {
    throw new CliError(`the key encryption key file ${source} is inside the data directory: a copy of the directory would hold the key too. Move it outside`, EXIT.refused)
  }
}
