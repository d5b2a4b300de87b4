// s3rver (a third-party S3 implementation, npm) on loopback, for tests of the S3 blobstore and off-site
// backups against something other than our own fake. It checks SigV4 signatures with its fixed
// credentials (S3RVER / S3RVER) and keeps objects in a temp folder.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver'

export type TestS3 = {
  url: string
  buckets: string[]
  /** PDS_BACKUP_S3_* (or, with `prefix` PDS_BLOBSTORE_S3_, the blobstore's) settings for this server. */
  env(prefix?: string): Record<string, string>
  /** A client for looking at or tampering with what the server under test wrote. */
  client(bucket: string): Bun.S3Client
  stop(): Promise<void>
}

export async function startS3rver(buckets: string[]): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'pds-s3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: !process.env.S3RVER_LOG, directory, configureBuckets: buckets.map((name) => ({ name })) })
  const { port } = (await server.run()) as { port: number }
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    buckets,
    env: (prefix = 'PDS_BACKUP_S3_') => ({
      [`${prefix}ENDPOINT`]: url,
      [`${prefix}REGION`]: 'us-east-1',
      [`${prefix}FORCE_PATH_STYLE`]: 'true',
      [`${prefix}ACCESS_KEY_ID`]: 'S3RVER',
      [`${prefix}SECRET_ACCESS_KEY`]: 'S3RVER',
    }),
    client: (bucket) => new Bun.S3Client({ bucket, endpoint: url, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', virtualHostedStyle: false }),
    async stop() {
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
