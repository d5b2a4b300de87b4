// Bringing one off-site backup back as a local backup folder (the same layout and manifest.json that
// `pds backup create` writes), so the local verify and restore do the rest. Every object is decrypted
// (age authenticates each 64 KiB chunk and the end of the stream, so an altered or truncated object
// fails here) and checked against the manifest's size and sha256.
import { createWriteStream, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { MANIFEST_FORMAT, writeManifest, type Manifest } from '../manifest.ts'
import { errorCode, type Bucket } from './bucket.ts'
import { decryptBytes, decryptStream, describeDecryptError, manifestMac, OffsiteRefusedError, type BackupKeys, type BucketMarker } from './keys.ts'
import { indexPath, manifestPath, OFFSITE_FORMAT, type OffsiteIndex, type OffsiteManifest } from './format.ts'
import { pool } from './pool.ts'
import type { VerifyProblem } from '../verify.ts'

export type Download = { index: OffsiteIndex; offsite: OffsiteManifest; problems: VerifyProblem[] }

/** Reads and decrypts a backup's manifest; refuses what is not this prefix's server's backup. */
export async function readOffsiteManifest(
  bucket: Bucket,
  keys: BackupKeys,
  name: string,
  marker: { serverDid: string; encryption: 'passphrase' | 'recipient' },
): Promise<{ index: OffsiteIndex; offsite: OffsiteManifest }> {
  const { serverDid } = marker
  const index = await bucket.getJson<OffsiteIndex>(indexPath(name))
  if (!index || index.format !== OFFSITE_FORMAT) throw new OffsiteRefusedError(`${bucket.url} has no finished backup named ${name} (pds backup list --from ${bucket.url})`)
  const sealed = await bucket.get(manifestPath(name))
  if (!sealed) throw new OffsiteRefusedError(`${bucket.describe(manifestPath(name))} is missing: the backup is incomplete`)
  let offsite: OffsiteManifest
  try {
    offsite = JSON.parse(new TextDecoder().decode(await decryptBytes(keys, sealed)))
  } catch (err) {
    throw new OffsiteRefusedError(`${bucket.describe(manifestPath(name))} cannot be read: ${describeDecryptError(err)}`)
  }
  if (offsite.format !== OFFSITE_FORMAT || offsite.manifest?.format !== MANIFEST_FORMAT) throw new OffsiteRefusedError(`${bucket.describe(manifestPath(name))} is not a ${OFFSITE_FORMAT} manifest`)
  const { mac, ...signed } = offsite
  if (marker.encryption === 'passphrase' && (!mac || mac !== manifestMac(keys, JSON.stringify(signed)))) {
    throw new OffsiteRefusedError(`${bucket.describe(manifestPath(name))} was not written with this bucket's key (its MAC does not match): forged or altered; refusing it`)
  }
  if (offsite.serverDid !== serverDid || index.serverDid !== serverDid || offsite.name !== name) {
    throw new OffsiteRefusedError(
      `the backup ${name} in ${bucket.url} is of ${offsite.serverDid} (${offsite.hostname}), but the prefix belongs to ${serverDid}: it was copied in from elsewhere; refusing it`,
    )
  }
  return { index, offsite }
}

export async function downloadBackup(opts: {
  bucket: Bucket
  keys: BackupKeys
  name: string
  marker: BucketMarker
  /** Created; receives the backup's files and manifest.json. */
  dest: string
  onProgress?: (p: { done: number; total: number }) => void
}): Promise<Download> {
  const { bucket, keys, dest } = opts
  const { index, offsite } = await readOffsiteManifest(bucket, keys, opts.name, opts.marker)
  const problems: VerifyProblem[] = []
  mkdirSync(dest, { recursive: true, mode: 0o700 })
  const files = offsite.manifest.files
  let done = 0
  await pool(files, 4, async (file) => {
    const object = offsite.objects[file.path]
    const problem = object ? await fetchObject(bucket, keys, object, join(dest, file.path), file) : 'not in the manifest\'s object list'
    if (problem) problems.push({ path: file.path, problem: `${object ? bucket.describe(object) : file.path}: ${problem}` })
    opts.onProgress?.({ done: ++done, total: files.length })
  })
  writeManifest(dest, offsite.manifest as Manifest)
  return { index, offsite, problems }
}

/** Downloads, decrypts and checks one object into `path`; a sentence when it is not right. */
async function fetchObject(bucket: Bucket, keys: BackupKeys, object: string, path: string, expected: { size: number; sha256: string }): Promise<string | null> {
  mkdirSync(dirname(path), { recursive: true })
  const hasher = new Bun.CryptoHasher('sha256')
  let size = 0
  const out = createWriteStream(path, { mode: 0o600 })
  try {
    let plain: ReadableStream<Uint8Array>
    try {
      plain = await decryptStream(keys, bucket.stream(object))
    } catch (err) {
      return failure(err)
    }
    try {
      for await (const chunk of plain) {
        hasher.update(chunk)
        size += chunk.byteLength
        if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve))
      }
    } catch (err) {
      return failure(err)
    }
  } finally {
    await new Promise<void>((resolve) => out.end(resolve))
  }
  if (size !== expected.size) return `decrypted to ${size} bytes, the manifest says ${expected.size}`
  if (hasher.digest('hex') !== expected.sha256) return 'sha256 does not match the manifest'
  return null

  function failure(err: unknown): string {
    rmSync(path, { force: true })
    const code = errorCode(err)
    if (code === 'NoSuchKey') return 'missing from the bucket'
    if (code && /Connection|Socket|NoSuchBucket|AccessDenied|InvalidAccessKeyId|Signature/.test(code)) return `cannot be read (${code})`
    return describeDecryptError(err)
  }
}
