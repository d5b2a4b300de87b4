// The bucket side of off-site backups: one S3 prefix through Bun's S3 client (configured as the S3
// blobstore configures it), with every failure turned into one sentence an operator can act on.
import type { OffsiteBackupConfig } from '../../../config/config.ts'
import { formatS3Url } from '../../../config/s3-url.ts'
import { s3ClientOptions } from '../../blobs/s3-store.ts'
import { uploadStream } from '../../blobs/s3-upload.ts'

export type OffsiteTarget = OffsiteBackupConfig['target']

/** The bucket cannot be used (unreachable, no such bucket, refused credentials…). */
export class OffsiteUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OffsiteUnavailableError'
  }
}

export type ObjectInfo = { key: string; size: number; lastModified: Date | null }

export class Bucket {
  private readonly client: Bun.S3Client
  readonly url: string

  constructor(readonly target: OffsiteTarget) {
    this.client = new Bun.S3Client({ ...s3ClientOptions(target), retry: 1 })
    this.url = formatS3Url(target)
  }

  /** A path inside the prefix → the object key. */
  key(path: string): string {
    return this.target.prefix ? `${this.target.prefix}/${path}` : path
  }

  describe(path: string): string {
    return `${this.url}/${path}`
  }

  /** The object's bytes, or null when there is no such object. */
  async get(path: string): Promise<Uint8Array | null> {
    return this.call(`read ${this.describe(path)}`, async () => {
      try {
        return await this.client.file(this.key(path)).bytes()
      } catch (err) {
        if (errorCode(err) === 'NoSuchKey') return null
        throw err
      }
    })
  }

  async getJson<T>(path: string): Promise<T | null> {
    const bytes = await this.get(path)
    if (!bytes) return null
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as T
    } catch {
      throw new OffsiteUnavailableError(`${this.describe(path)} is not valid JSON: it was not written by pds backup`)
    }
  }

  put(path: string, body: Uint8Array | string): Promise<void> {
    return this.call(`write ${this.describe(path)}`, async () => {
      await this.client.write(this.key(path), body)
    })
  }

  putStream(path: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    return this.call(`write ${this.describe(path)}`, () => uploadStream(this.client, this.key(path), body))
  }

  /** A lazy download; errors surface while reading. */
  stream(path: string): ReadableStream<Uint8Array> {
    return this.client.file(this.key(path)).stream()
  }

  delete(path: string): Promise<void> {
    return this.call(`delete ${this.describe(path)}`, async () => {
      await this.client.delete(this.key(path))
    })
  }

  /** Every object under a path prefix (paths relative to the backup prefix). */
  list(under: string): Promise<ObjectInfo[]> {
    return this.call(`list ${this.describe(under)}`, async () => {
      const out: ObjectInfo[] = []
      const strip = this.target.prefix ? this.target.prefix.length + 1 : 0
      let continuationToken: string | undefined
      do {
        const page = await this.client.list({ prefix: this.key(under), continuationToken, maxKeys: 1000 })
        for (const object of page.contents ?? []) {
          const modified = object.lastModified ? new Date(object.lastModified) : null
          out.push({ key: object.key.slice(strip), size: object.size ?? 0, lastModified: modified })
        }
        continuationToken = page.isTruncated ? page.nextContinuationToken : undefined
      } while (continuationToken)
      return out
    })
  }

  /** Runs one bucket operation; a failure becomes an OffsiteUnavailableError naming what and where. */
  async call<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op()
    } catch (err) {
      if (err instanceof OffsiteUnavailableError) throw err
      throw new OffsiteUnavailableError(`cannot ${what}: ${explain(err, this.target)}`)
    }
  }
}

export function errorCode(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code
}

function explain(err: unknown, target: OffsiteTarget): string {
  const code = errorCode(err)
  const where = target.endpoint ?? 'the default AWS endpoint'
  switch (code) {
    case 'ConnectionRefused':
    case 'ECONNREFUSED':
      return `connection refused by ${where} (is the endpoint right and the S3 service up?)`
    case 'FailedToOpenSocket':
    case 'ENOTFOUND':
    case 'ConnectionClosed':
    case 'ETIMEDOUT':
      return `${where} cannot be reached (${code})`
    case 'NoSuchBucket':
      return `bucket ${target.bucket} does not exist at ${where}`
    case 'AccessDenied':
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
      return `${code}: the endpoint refused the credentials (PDS_BACKUP_S3_ACCESS_KEY_ID / PDS_BACKUP_S3_SECRET_ACCESS_KEY)`
    default:
      return `${code ? `${code}: ` : ''}${(err as Error)?.message ?? String(err)}`
  }
}
