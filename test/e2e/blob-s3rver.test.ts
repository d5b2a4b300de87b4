// The S3 blobstore against s3rver (a third-party S3 on loopback that checks SigV4 signatures), not only
// our fake: uploads (multipart for a large one), getBlob with Range, takedown's quarantine move, deletes,
// and an off-site backup of a server whose blobs live in S3 (databases and keys only).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { loadSharp } from '../../src/native/sharp.ts'
import { startS3rver, type TestS3 } from '../helpers/s3rver.ts'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { layoutFromConfig } from '../../src/services/backup/index.ts'
import { createOffsiteBackup, listOffsite } from '../../src/services/backup/offsite/index.ts'
import { offsiteBackupConfig } from '../../src/config/config.ts'

let s3: TestS3
let h: AccountHarness
let alice: { agent: AtpAgent; did: string }

beforeAll(async () => {
  s3 = await startS3rver(['pds-blobs', 'pds-backups'])
  h = await startAccountHarness({ ...s3.env('PDS_BLOBSTORE_S3_'), PDS_BLOBSTORE_S3_BUCKET: 'pds-blobs' })
  alice = await h.signUp('alice')
})
afterAll(async () => {
  await h?.close()
  await s3?.stop()
})

const getBlob = (did: string, cid: string, headers: Record<string, string> = {}) => fetch(`${h.server.url}/xrpc/com.atproto.sync.getBlob?did=${did}&cid=${cid}`, { headers })
const bucket = () => s3.client('pds-blobs')

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await Bun.sleep(50)
  }
}

describe('S3 blobstore on s3rver', () => {
  test('image and 12 MB blob: stored, served whole and by range, quarantined and back, deleted with the post', async () => {
    const sharp = await loadSharp()
    const png = new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: '#654321' } }).png().toBuffer())
    const image = (await alice.agent.uploadBlob(png, { encoding: 'image/png' })).data.blob
    const big = new Uint8Array(12 * 1024 * 1024)
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 255
    big.set([0, 0, 0, 0x20, ...new TextEncoder().encode('ftypisom')])
    const video = (await alice.agent.uploadBlob(big, { encoding: 'video/mp4' })).data.blob
    const imageKey = `blocks/${alice.did}/${image.ref.toString()}`
    const videoKey = `blocks/${alice.did}/${video.ref.toString()}`
    expect(new Uint8Array(await bucket().file(imageKey).bytes())).toEqual(png)
    expect((await bucket().stat(videoKey)).size).toBe(big.length)

    await alice.agent.post({ text: 'pic', embed: { $type: 'app.bsky.embed.images', images: [{ image, alt: 'x' }] }, createdAt: new Date().toISOString() })
    const videoPost = await alice.agent.post({ text: 'vid', embed: { $type: 'app.bsky.embed.video', video }, createdAt: new Date().toISOString() })

    const whole = await getBlob(alice.did, image.ref.toString())
    expect(whole.status).toBe(200)
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(png)
    const start = 6 * 1024 * 1024 - 7
    const part = await getBlob(alice.did, video.ref.toString(), { range: `bytes=${start}-${start + 99}` })
    expect(part.status).toBe(206)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(big.subarray(start, start + 100))
    expect(new Uint8Array(await (await getBlob(alice.did, video.ref.toString())).arrayBuffer())).toEqual(big)

    const store = h.server.services.repo.blobs
    await store.quarantine(alice.did, image.ref.toString())
    expect(await bucket().exists(imageKey)).toBe(false)
    expect(await bucket().exists(`quarantine/${alice.did}/${image.ref.toString()}`)).toBe(true)
    await store.unquarantine(alice.did, image.ref.toString())
    expect(new Uint8Array(await bucket().file(imageKey).bytes())).toEqual(png)

    await alice.agent.deletePost(videoPost.uri)
    await waitFor(async () => !(await bucket().exists(videoKey)))
    expect((await getBlob(alice.did, video.ref.toString())).status).toBe(400)
  }, 60_000)

  test('an off-site backup of such a server holds the databases and keys, not the S3 blobs', async () => {
    const settings = offsiteBackupConfig({ ...s3.env(), PDS_BACKUP_AGE_PASSPHRASE: 'a long enough passphrase' }, { url: 's3://pds-backups/srv' })!
    const config = h.server.config
    const result = await createOffsiteBackup({ settings, server: { did: config.service.did, hostname: config.service.hostname }, layout: layoutFromConfig(config), pdsVersion: 'test' })
    expect(result.upload.blobsUploaded).toBe(0)
    expect(result.upload.files).toBeGreaterThan(3)
    const { backups } = await listOffsite(settings)
    expect(backups[0]?.blobs).toEqual([])
  }, 60_000)

  test('deleting the repo empties its prefix in the bucket', async () => {
    expect((await bucket().list({ prefix: `blocks/${alice.did}/` })).contents?.length).toBeGreaterThan(0)
    await h.server.services.repo.deleteRepo(alice.did)
    expect((await bucket().list({ prefix: `blocks/${alice.did}/` })).contents ?? []).toEqual([])
  })
})
