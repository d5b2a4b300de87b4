import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { cidForRaw } from '../../src/core/cbor.ts'
import { loadSharp } from '../../src/native/sharp.ts'
import { sniffMimeType } from '../../src/services/blobs/sniff.ts'
import { sweepStaleTempBlobs } from '../../src/services/blobs/upload.ts'
import type { DiskBlobStore } from '../../src/services/blobs/store.ts'
import { toXrpcError } from '../../src/xrpc/error-mapper.ts'
import { exportAndVerify, repoHarness, type RepoHarness } from './repo-harness.ts'

const DID = 'did:plc:blobtestaaaaaaaaaaaaaaaa'
let h: RepoHarness
afterEach(() => h?.close())

const streamOf = (bytes: Uint8Array, chunk = 64 * 1024) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.slice(i, i + chunk))
      c.close()
    },
  })

async function png(width = 40, height = 30): Promise<Uint8Array> {
  const sharp = await loadSharp()
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: '#c0ffee' } }).png().toBuffer())
}

const post = (image: unknown) => ({
  $type: 'app.bsky.feed.post',
  text: 'pic',
  createdAt: new Date().toISOString(),
  embed: { $type: 'app.bsky.embed.images', images: [{ image, alt: 'a pic' }] },
})

describe('blobs', () => {
  test('upload, reference, dereference: file moves and is deleted', async () => {
    h = repoHarness()
    await h.repo.createRepo(DID, Secp256k1Keypair.create())
    const bytes = await png()
    const blob = await h.repo.uploadBlob(DID, { encoding: 'application/octet-stream', body: streamOf(bytes, 100) })
    expect(blob).toEqual({ $type: 'blob', ref: { $link: cidForRaw(bytes).toString() }, mimeType: 'image/png', size: bytes.length })
    expect(h.repo.db(DID).getBlob(blob.ref.$link)).toMatchObject({ width: 40, height: 30 })
    expect(h.repo.getBlobStream(DID, blob.ref.$link)).toBeNull() // temp blobs are not served

    // Wrong size or mime type in the reference: the reference's errors, nothing written.
    await expect(h.repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post({ ...blob, size: 1 }) }])).rejects.toThrow(
      /Referenced Size does not match/,
    )
    await expect(
      h.repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post({ ...blob, mimeType: 'image/jpeg' }) }]),
    ).rejects.toThrow(/Referenced Mimetype does not match/)

    const res = await h.repo.applyWrites(DID, [{ action: 'create', collection: 'app.bsky.feed.post', value: post(blob) }])
    const path = (h.repo.blobs as DiskBlobStore).blobPath(DID, blob.ref.$link)
    expect(new Uint8Array(readFileSync(path))).toEqual(new Uint8Array(bytes))
    expect(readdirSync(join(h.dir, 'blobs', 'tmp'))).toEqual([])
    const served = h.repo.getBlobStream(DID, blob.ref.$link, { start: 0, end: 7 })!
    expect(new Uint8Array(await new Response(served.stream).arrayBuffer())).toEqual(bytes.slice(0, 8))
    expect(h.commits.at(-1)!.blobs.map(String)).toEqual([blob.ref.$link])
    expect(h.repo.listBlobs(DID, { limit: 10 })).toEqual([blob.ref.$link])

    const rkey = res.results[0]!.uri!.split('/').pop()!
    await h.repo.applyWrites(DID, [{ action: 'delete', collection: 'app.bsky.feed.post', rkey }])
    expect(existsSync(path)).toBe(false)
    expect(h.repo.db(DID).getBlob(blob.ref.$link)).toBeNull()
    await exportAndVerify(h.repo, DID)
  })

  test('a large upload streams to disk; the limit gives PayloadTooLarge', async () => {
    h = repoHarness()
    await h.repo.createRepo(DID, Secp256k1Keypair.create())
    const big = new Uint8Array(12 * 1024 * 1024)
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251
    const blob = await h.repo.uploadBlob(DID, { encoding: 'video/mp4', body: streamOf(big) })
    expect(blob.size).toBe(big.length)
    expect(blob.mimeType).toBe('video/mp4') // unknown bytes: the declared type
    ;(h.repo.deps as { uploadLimit?: number }).uploadLimit = 1024 * 1024
    // The domain error reaches the client as 413 through the edge's one mapper.
    expect(toXrpcError(await h.repo.uploadBlob(DID, { encoding: 'video/mp4', body: streamOf(big) }).catch((err) => err))).toMatchObject({ status: 413 })
    expect(readdirSync(join(h.dir, 'blobs', 'tmp')).length).toBe(1) // the failed upload left nothing
    expect(sweepStaleTempBlobs(h.repo.blobs, h.repo.db(DID), Date.now() + 1000)).toBe(1)
    expect(readdirSync(join(h.dir, 'blobs', 'tmp'))).toEqual([])
  })

  test('sniffing', () => {
    const b = (...parts: Array<string | number[]>) =>
      new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))
    expect(sniffMimeType(b([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg')
    expect(sniffMimeType(b('GIF89a'))).toBe('image/gif')
    expect(sniffMimeType(b('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp')
    expect(sniffMimeType(b([0, 0, 0, 0x20], 'ftypisom'))).toBe('video/mp4')
    expect(sniffMimeType(b([0, 0, 0, 0x14], 'ftypqt  '))).toBe('video/quicktime')
    expect(sniffMimeType(b([0, 0, 0, 0x1c], 'ftypavif'))).toBe('image/avif')
    expect(sniffMimeType(b([0, 0, 0, 0x18], 'ftypheic'))).toBe('image/heic')
    expect(sniffMimeType(b([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm'))).toBe('video/webm')
    expect(sniffMimeType(b('hello world'))).toBeUndefined()
  })
})
