// The key files of this configuration: sealed with PDS_KEY_ENCRYPTION_KEY when one is set.
import type { Config } from '../../config/config.ts'
import { KeyFiles } from '../../storage/key-files.ts'

export { KeyFileError, KeyFiles } from '../../storage/key-files.ts'

export function keyFilesFor(config: Config): KeyFiles {
  return new KeyFiles(config.secrets.keyEncryption?.sealer)
}
