// `pds restore-account`'s view of the restore service (src/services/migration/restore-account.ts): the
// rotation key and blobs read from files, a MigrationError turned into the operator's flag and exit code.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { restoreAccount as restore, type RestoreOptions, type RestoreReport } from '../../src/services/migration/restore-account.ts'
import { asCliError } from './migration.ts'

export type CliRestoreOptions = Omit<RestoreOptions, 'rotationKey' | 'readBlob'> & {
  /** Hex private key, or a file holding it as hex or as 32 raw bytes. */
  rotationKey: string
  blobDir?: string
}

export async function restoreAccount(opts: CliRestoreOptions): Promise<RestoreReport> {
  const { blobDir, ...rest } = opts
  try {
    return await restore({
      ...rest,
      rotationKey: keyMaterial(opts.rotationKey),
      readBlob: (cid) => {
        const path = blobDir ? join(blobDir, cid) : null
        return path && existsSync(path) ? new Uint8Array(readFileSync(path)) : null
      },
    })
  } catch (err) {
    throw asCliError(err, { newHandle: '--handle', inviteCode: '--invite-code' })
  }
}

function keyMaterial(arg: string): string | Uint8Array {
  if (!existsSync(arg)) return arg
  const bytes = new Uint8Array(readFileSync(arg))
  const text = new TextDecoder().decode(bytes).trim()
  return /^[0-9a-fA-F]{64}$/.test(text) ? text : bytes
}
