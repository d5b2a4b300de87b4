// Blob bytes in an S3-compatible bucket, through Bun's built-in S3 client, with the reference's
// key for committed blobs: blocks/<did>/<cid>.
//
// Design: an upload is received into a local temp file first (hashed while streaming, as on disk),
// so its CID is known before a byte goes to S3. uploadBlob then uploads it once, straight to
// blocks/<did>/<cid>; "temporary" is only the database row's state (blob.tempKey), and getBlob
// never serves a temporary row. makePermanent checks the object is there (HEAD). This is why the
// reference's tmp/<did>/<key> is not used: it exists there because the CID is unknown while
// streaming, and moving tmp→blocks needs CopyObject, which Bun's client does not have (a copy
// through this process would move every byte three times). The upload's cost falls on uploadBlob,
// as with the reference, not on the commit that holds the repo's write lock.
// Takedowns hide blobs in the database (blob.takedownRef) and move their bytes to quarantine/<did>/<cid>
// (rare, so the copy through this process is acceptable there).
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { CID } from '../../core/cbor.ts'
import type { BlobstoreConfig } from '../../config/config.ts'
import { PART_SIZE, QUEUE_SIZE, uploadStream } from './s3-upload.ts'
import { BlobNotFoundError, receiveToTempFile, type BlobStore, type BlobStream, type TempUpload } from './store.ts'

export type S3BlobStoreConfig = Omit<Extract<BlobstoreConfig, { provider: 's3' }>, 'provider'>

// Multipart: 5 MiB parts (S3's minimum), two in flight; uploadStream flushes each part, so memory
// stays near partSize × queueSize whatever the blob's size.

/** Bun's client options for the reference's PDS_BLOBSTORE_S3_* settings. */
export function s3ClientOptions(cfg: Pick<S3BlobStoreConfig, 'bucket' | 'region' | 'endpoint' | 'forcePathStyle' | 'accessKeyId' | 'secretAccessKey'>): Bun.S3Options {
  let endpoint = cfg.endpoint
  // Virtual-hosted style with a custom endpoint: Bun wants the bucket already in the host name
  // (the AWS SDK the reference uses prepends it itself).
  if (endpoint && !cfg.forcePathStyle) {
    const url = new URL(endpoint)
    url.hostname = `${cfg.bucket}.${url.hostname}`
    endpoint = url.toString().replace(/\/$/, '')
  }
  return {
    bucket: cfg.bucket,
    region: cfg.region,
    endpoint,
    virtualHostedStyle: !cfg.forcePathStyle,
    accessKeyId: cfg.accessKeyId,
    secretAccessKey: cfg.secretAccessKey,
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    retry: 3,
  }
}

export class S3BlobStore implements BlobStore {
  readonly client: Bun.S3Client
  readonly opts: { tempLocation: string }

  constructor(readonly config: S3BlobStoreConfig) {
    this.client = new Bun.S3Client(s3ClientOptions(config))
    this.opts = { tempLocation: config.tempLocation }
    mkdirSync(config.tempLocation, { recursive: true })
  }

  storedKey(did: string, cid: CID | string): string {
    return `blocks/${did}/${cid.toString()}`
  }

  tempPath(tempKey: string): string {
    return join(this.opts.tempLocation, tempKey)
  }

  putTemp(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number, declaredLength?: number): Promise<TempUpload> {
    return receiveToTempFile(this.opts.tempLocation, body, maxBytes, declaredLength)
  }

  /** Uploads the received file to its final key and drops the local copy. */
  async storeTemp(upload: TempUpload, did: string): Promise<void> {
    await this.uploadFile(this.tempPath(upload.tempKey), this.storedKey(did, upload.cid))
    rmSync(this.tempPath(upload.tempKey), { force: true })
  }

  async makePermanent(tempKey: string, did: string, cid: CID | string): Promise<void> {
    const local = this.tempPath(tempKey)
    if (await Bun.file(local).exists()) {
      await this.uploadFile(local, this.storedKey(did, cid))
      rmSync(local, { force: true })
      return
    }
    if (!(await this.client.exists(this.storedKey(did, cid)))) throw new BlobNotFoundError(cid.toString())
  }

  /**
   * Without `did`/`cid`: only the local temp file (a duplicate upload). With them: the uncommitted
   * object too — callers pass them only for a temporary row that no record references.
   */
  async deleteTemp(tempKey: string, did?: string, cid?: CID | string): Promise<void> {
    rmSync(this.tempPath(tempKey), { force: true })
    if (did && cid) await this.client.delete(this.storedKey(did, cid))
  }

  async delete(did: string, cid: CID | string): Promise<void> {
    await this.client.delete(this.storedKey(did, cid))
  }

  /** Every object under blocks/<did>/ and quarantine/<did>/ (account deletion). */
  async deleteAll(did: string): Promise<void> {
    for (const prefix of [`blocks/${did}/`, `quarantine/${did}/`]) {
      let continuationToken: string | undefined
      do {
        const page = await this.client.list({ prefix, continuationToken, maxKeys: 1000 })
        for (const object of page.contents ?? []) await this.client.delete(object.key)
        continuationToken = page.isTruncated ? page.nextContinuationToken : undefined
      } while (continuationToken)
    }
  }

  async quarantine(did: string, cid: CID | string): Promise<void> {
    await this.move(this.storedKey(did, cid), `quarantine/${did}/${cid.toString()}`)
  }

  async unquarantine(did: string, cid: CID | string): Promise<void> {
    await this.move(`quarantine/${did}/${cid.toString()}`, this.storedKey(did, cid))
  }

  private async move(from: string, to: string): Promise<void> {
    if (!(await this.client.exists(from))) return
    await this.client.write(to, this.client.file(from))
    await this.client.delete(from)
  }

  /** Streams lazily from S3 (a ranged GET for a range); the size comes from the database row. */
  getBlobStream(did: string, cid: CID | string, range?: { start: number; end?: number }, size?: number): BlobStream {
    if (size === undefined) throw new Error('S3BlobStore.getBlobStream needs the recorded blob size')
    const file = this.client.file(this.storedKey(did, cid))
    if (!range) return { stream: file.stream(), size, length: size }
    const end = Math.min(range.end ?? size - 1, size - 1)
    return { stream: file.slice(range.start, end + 1).stream(), size, length: Math.max(0, end + 1 - range.start) }
  }

  /** Streams a local file into a (multipart) upload with bounded memory (s3-upload.ts). */
  private async uploadFile(path: string, key: string): Promise<void> {
    await uploadStream(this.client, key, Bun.file(path).stream(), { ms: this.config.uploadTimeoutMs, message: 'Blob upload timed out' })
  }
}
