// S3 blob storage end to end: the real server with PDS_BLOBSTORE_S3_* pointing at a fake S3 on
// loopback. Uploads land in blocks/<did>/<cid>, large ones by multipart; getBlob serves them (with
// Range) from the bucket; deleting the post deletes the object; deleting the repo empties the prefix.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import type { AtpAgent } from '@atproto/api'
import { loadSharp } from '../../src/native/sharp.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { S3BlobStore, s3ClientOptions } from '../../src/services/blobs/s3-store.ts'
import { startFakeS3, type FakeS3 } from '../helpers/fake-s3.ts'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'

let s3: FakeS3
let h: AccountHarness
let alice: { agent: AtpAgent; did: string }
let committed: { cid: string; bytes: Uint8Array }

beforeAll(async () => {
  s3 = startFakeS3('pds-blobs')
  h = await startAccountHarness({
    PDS_BLOBSTORE_S3_BUCKET: s3.bucket,
    PDS_BLOBSTORE_S3_ENDPOINT: s3.url,
    PDS_BLOBSTORE_S3_REGION: 'us-east-1',
    PDS_BLOBSTORE_S3_FORCE_PATH_STYLE: 'true',
    PDS_BLOBSTORE_S3_ACCESS_KEY_ID: 'test-access-key',
    PDS_BLOBSTORE_S3_SECRET_ACCESS_KEY: 'test-secret-key',
  })
  alice = await h.signUp('alice')
})
afterAll(async () => {
  await h?.close()
  s3?.stop()
})

const getBlob = (did: string, cid: string, headers: Record<string, string> = {}) =>
  fetch(`${h.server.url}/xrpc/com.atproto.sync.getBlob?did=${did}&cid=${cid}`, { headers })

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await Bun.sleep(20)
  }
}

describe('S3 blobstore', () => {
  test('image and 20 MB blob: stored in the bucket, served with Range, deleted with the post', async () => {
    expect(h.server.config.blobstore.provider).toBe('s3')
    const sharp = await loadSharp()
    const png = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } }).png().toBuffer())
    const image = (await alice.agent.uploadBlob(png, { encoding: 'image/png' })).data.blob
    expect(image.mimeType).toBe('image/png')
    const imageCid = image.ref.toString()
    committed = { cid: imageCid, bytes: png }

    const big = new Uint8Array(20 * 1024 * 1024)
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 255
    big.set([0, 0, 0, 0x20, ...new TextEncoder().encode('ftypisom')])
    const video = (await alice.agent.uploadBlob(big, { encoding: 'video/mp4' })).data.blob
    expect(video.size).toBe(big.length)
    const videoCid = video.ref.toString()
    const videoKey = `blocks/${alice.did}/${videoCid}`

    // Uploaded once, straight to the final key, the large one in parts; nothing left locally.
    expect(s3.objects.get(`blocks/${alice.did}/${imageCid}`)).toEqual(png)
    expect(s3.objects.get(videoKey)?.length).toBe(big.length)
    expect(s3.log.some((line) => line.startsWith(`POST ${videoKey}?uploads`))).toBe(true)
    expect(s3.log.filter((line) => line.startsWith(`PUT ${videoKey}?partNumber=`)).length).toBe(4)
    expect(readdirSync(h.server.config.blobstore.tempLocation)).toEqual([])
    // Not referenced yet: not served.
    expect((await getBlob(alice.did, imageCid)).status).toBe(400)

    await alice.agent.post({
      text: 'a picture',
      embed: { $type: 'app.bsky.embed.images', images: [{ image, alt: 'blue', aspectRatio: { width: 64, height: 48 } }] },
      createdAt: new Date().toISOString(),
    })
    const videoPost = await alice.agent.post({
      text: 'a video',
      embed: { $type: 'app.bsky.embed.video', video },
      createdAt: new Date().toISOString(),
    })

    const whole = await getBlob(alice.did, imageCid)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('image/png')
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(png)

    const start = 9 * 1024 * 1024 - 10
    const part = await getBlob(alice.did, videoCid, { range: `bytes=${start}-${start + 99}` })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes ${start}-${start + 99}/${big.length}`)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(big.subarray(start, start + 100))
    const tail = await getBlob(alice.did, videoCid, { range: 'bytes=-16' })
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(big.subarray(big.length - 16))
    const full = await getBlob(alice.did, videoCid)
    // Bun sends a JS stream chunked (it drops Content-Length), unlike a disk file's native stream.
    expect(full.status).toBe(200)
    expect(new Uint8Array(await full.arrayBuffer())).toEqual(big)

    await alice.agent.deletePost(videoPost.uri)
    await waitFor(() => !s3.objects.has(videoKey))
    expect((await getBlob(alice.did, videoCid)).status).toBe(400)
    expect(s3.objects.has(`blocks/${alice.did}/${imageCid}`)).toBe(true)
    expect(s3.unauthorized).toBe(0)
  })

  test('takedown moves the bytes to quarantine/<did>/<cid>; reversal moves them back', async () => {
    const store = h.server.services.repo.blobs
    const key = `blocks/${alice.did}/${committed.cid}`
    const quarantined = `quarantine/${alice.did}/${committed.cid}`
    await store.quarantine(alice.did, committed.cid)
    expect(s3.objects.has(key)).toBe(false)
    expect(s3.objects.get(quarantined)).toEqual(committed.bytes)
    await store.unquarantine(alice.did, committed.cid)
    expect(s3.objects.has(quarantined)).toBe(false)
    expect(s3.objects.get(key)).toEqual(committed.bytes)
  })

  test('re-uploading a committed blob keeps it; deleting the repo empties its prefix', async () => {
    // The image from the first test is committed: uploading it again changes nothing.
    const key = `blocks/${alice.did}/${committed.cid}`
    const again = (await alice.agent.uploadBlob(committed.bytes, { encoding: 'image/png' })).data.blob
    expect(again.ref.toString()).toBe(committed.cid)
    expect(s3.objects.get(key)).toEqual(committed.bytes)
    expect((await getBlob(alice.did, committed.cid)).status).toBe(200)

    expect([...s3.objects.keys()].some((k) => k.startsWith(`blocks/${alice.did}/`))).toBe(true)
    await h.server.services.repo.deleteRepo(alice.did)
    expect([...s3.objects.keys()].filter((k) => k.startsWith(`blocks/${alice.did}/`))).toEqual([])
    expect(s3.log.some((line) => line.startsWith('GET ?list-type=2'))).toBe(true)
  })

  test('client options: path style, or the bucket in the endpoint host for virtual-hosted style', () => {
    const base = { bucket: 'b', uploadTimeoutMs: 1000, tempLocation: '/tmp' }
    expect(s3ClientOptions({ ...base, endpoint: 'https://s3.example.com', forcePathStyle: true })).toMatchObject({
      endpoint: 'https://s3.example.com',
      virtualHostedStyle: false,
      bucket: 'b',
    })
    expect(s3ClientOptions({ ...base, endpoint: 'https://s3.example.com', forcePathStyle: false })).toMatchObject({
      endpoint: 'https://b.s3.example.com',
      virtualHostedStyle: true,
    })
  })

  test('an upload to a stalled endpoint fails after PDS_BLOBSTORE_S3_UPLOAD_TIMEOUT_MS', async () => {
    const stalled = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Promise<Response>(() => {}) })
    const dir = mkdtempSync(join(tmpdir(), 'pds-s3-timeout-'))
    try {
      const store = new S3BlobStore({ bucket: 'b', endpoint: `http://127.0.0.1:${stalled.port}`, forcePathStyle: true, accessKeyId: 'a', secretAccessKey: 's', uploadTimeoutMs: 200, tempLocation: dir })
      const upload = await store.putTemp(new Blob([new Uint8Array(1000)]).stream(), 10_000)
      const started = Date.now()
      await expect(store.storeTemp(upload, 'did:plc:x')).rejects.toThrow('Blob upload timed out')
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      stalled.stop(true)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
