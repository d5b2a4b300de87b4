// Uploading a finished local backup: every file encrypted on its way out, blobs only when the
// prefix does not hold them yet (they are content-addressed, so an existing object is the same blob).
import { basename, join } from 'node:path'
import { readManifest } from '../manifest.ts'
import type { Bucket } from './bucket.ts'
import { encryptBytes, encryptStream, manifestMac, type BackupKeys } from './keys.ts'
import { blobObjectPath, filePath, indexPath, manifestPath, OFFSITE_FORMAT, type OffsiteIndex, type OffsiteManifest } from './format.ts'
import { pool } from './pool.ts'

export type UploadResult = { name: string; files: number; blobsUploaded: number; blobsReused: number; bytesUploaded: number }

export async function uploadBackup(opts: {
  bucket: Bucket
  keys: BackupKeys
  localDir: string
  server: { did: string; hostname: string }
  onProgress?: (p: { done: number; total: number }) => void
}): Promise<UploadResult> {
  const { bucket, keys, localDir } = opts
  const manifest = readManifest(localDir)
  const name = basename(localDir)
  const present = new Set((await bucket.list('blobs/')).map((o) => o.key))
  const objects: Record<string, string> = {}
  const result: UploadResult = { name, files: 0, blobsUploaded: 0, blobsReused: 0, bytesUploaded: 0 }
  const blobObjects: string[] = []
  let done = 0
  await pool(manifest.files, 4, async (file) => {
    const isBlob = file.kind === 'blob'
    const object = isBlob ? blobObjectPath(file.path) : filePath(name, file.path)
    objects[file.path] = object
    if (isBlob) blobObjects.push(object)
    if (isBlob && present.has(object)) {
      result.blobsReused++
    } else {
      await bucket.putStream(object, await encryptStream(keys, Bun.file(join(localDir, file.path)).stream()))
      result.bytesUploaded += file.size
      if (isBlob) result.blobsUploaded++
      else result.files++
    }
    opts.onProgress?.({ done: ++done, total: manifest.files.length })
  })
  const offsite: OffsiteManifest = { format: OFFSITE_FORMAT, name, serverDid: opts.server.did, hostname: opts.server.hostname, manifest, objects }
  offsite.mac = manifestMac(keys, JSON.stringify(offsite))
  await bucket.put(manifestPath(name), await encryptBytes(keys, JSON.stringify(offsite)))
  const index: OffsiteIndex = {
    format: OFFSITE_FORMAT,
    name,
    serverDid: opts.server.did,
    hostname: opts.server.hostname,
    pdsVersion: manifest.pdsVersion,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    accounts: manifest.accounts.length,
    files: manifest.files.length,
    bytes: manifest.files.reduce((sum, f) => sum + f.size, 0),
    blobs: blobObjects.sort(),
  }
  // Last: only now does the backup exist for list, verify, restore and retention.
  await bucket.put(indexPath(name), JSON.stringify(index, null, 2) + '\n')
  return result
}
