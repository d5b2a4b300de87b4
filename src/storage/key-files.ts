// Private key files on disk: read sealed or plain, written sealed when a key encryption key is
// configured, always replaced crash-safely (temp file, fsync, rename, fsync of the folder) so that a
// kill -9 at any moment leaves either the old or the new file, never a torn one.
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { isSealed, KeySealError, KeySealer, openKeyBytes } from '../core/crypto/key-seal.ts'
import { fsyncDirectory, mkdirDurable } from './durable-fs.ts'

export class KeyFileError extends Error {
  constructor(
    readonly path: string,
    readonly cause: KeySealError,
  ) {
    super(`key file ${path} ${cause.message}`)
    this.name = 'KeyFileError'
  }
}

const TEMP_MARK = '.tmp-'

export class KeyFiles {
  constructor(readonly sealer?: KeySealer) {}

  /** The private key in `path`, bound to `label` (the account's DID). */
  read(path: string, label: string): Uint8Array {
    try {
      return openKeyBytes(new Uint8Array(readFileSync(path)), label, this.sealer)
    } catch (err) {
      if (err instanceof KeySealError) throw new KeyFileError(path, err)
      throw err
    }
  }

  /** Writes the key (sealed if a key encryption key is configured) durably before returning. */
  write(path: string, privateKey: Uint8Array, label: string): void {
    writeFileDurably(path, this.sealer ? this.sealer.seal(privateKey, label) : privateKey)
  }

  /**
   * Rewrites one file into the wanted form: 'sealed' or 'plain'. Returns whether it changed. The new
   * bytes are checked to open to the same key before they replace the old file.
   */
  convert(path: string, label: string, to: 'sealed' | 'plain'): boolean {
    if (!this.sealer) throw new Error('no key encryption key configured')
    const bytes = new Uint8Array(readFileSync(path))
    if (isSealed(bytes) === (to === 'sealed')) {
      this.read(path, label) // already converted: still prove it opens with this key and label
      return false
    }
    const key = this.read(path, label)
    const next = to === 'sealed' ? this.sealer.seal(key, label) : key
    if (!Buffer.from(openKeyBytes(next, label, this.sealer)).equals(Buffer.from(key))) throw new Error(`re-encoding ${path} did not round-trip`)
    writeFileDurably(path, next)
    return true
  }
}

/** Temp file in the same folder, fsync, rename over, fsync the folder. */
export function writeFileDurably(path: string, bytes: Uint8Array, mode = 0o600): void {
  const dir = dirname(path)
  mkdirDurable(dir)
  const tmp = `${path}${TEMP_MARK}${process.pid}`
  const fd = openSync(tmp, 'w', mode)
  try {
    writeSync(fd, bytes)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  fsyncDirectory(dir)
}

/** Leftover temp files of an interrupted write next to `path` (the real file was never touched). */
export function removeStaleTemps(dir: string, name: string): void {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(`${name}${TEMP_MARK}`)) rmSync(join(dir, entry), { force: true })
  }
}

export function isTempName(path: string): boolean {
  return basename(path).includes(TEMP_MARK)
}
