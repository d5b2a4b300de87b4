// manifest.json: what a backup holds, with a sha256 of every file so that `verify` notices rot.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_FORMAT = 'pds-backup/1'

export type FileKind = 'database' | 'actor-store' | 'key' | 'blob' | 'config'

export type ManifestFile = { path: string; kind: FileKind; size: number; sha256: string }

export type Manifest = {
  format: typeof MANIFEST_FORMAT
  pdsVersion: string
  hostname: string | null
  startedAt: string
  finishedAt: string
  /** Each account's repo root at the moment its store was snapshotted. */
  accounts: Array<{ did: string; rev: string | null; cid: string | null }>
  /** 'external' when blobs live in S3 and are not part of the backup. */
  blobs: 'included' | 'external'
  files: ManifestFile[]
}

export class BackupFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupFormatError'
  }
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 })
}

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE)
  if (!existsSync(path)) throw new BackupFormatError(`${dir} is not a backup: it has no ${MANIFEST_FILE}`)
  let parsed: Manifest
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new BackupFormatError(`${path} is not valid JSON: ${(err as Error).message}`)
  }
  if (parsed?.format !== MANIFEST_FORMAT || !Array.isArray(parsed.files)) {
    throw new BackupFormatError(`${path} is not a ${MANIFEST_FORMAT} manifest`)
  }
  return parsed
}

/** Streams the file through sha256, so multi-gigabyte blobs never sit in memory whole. */
export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher('sha256')
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk)
  return hasher.digest('hex')
}
