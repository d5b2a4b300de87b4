// Blob bytes on disk: uploads stream to <tempLocation>/<random> while being hashed, then move to
// <location>/<did>/<cid> by an atomic rename when a record first references them.
// BlobStore is the interface both stores implement (the S3 one is in ./s3-store.ts).
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, readSync, rmSync, statSync, unlinkSync } from 'node:fs'
import { open, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CID, RAW } from '../../core/cbor.ts'
import { create as createDigest } from 'multiformats/hashes/digest'
import { invalidInput, tooLarge } from '../errors.ts'
import { SNIFF_BYTES, sniffMimeType } from './sniff.ts'
import { fsyncDirectory, mkdirDurable, renameDurable } from '../../storage/durable-fs.ts'

export type TempUpload = { tempKey: string; cid: CID; size: number; sniffedMime: string | undefined }

export class BlobNotFoundError extends Error {
  constructor(readonly cid: string) {
    super(`Blob not found: ${cid}`)
    this.name = 'BlobNotFoundError'
  }
}

type Range = { start: number; end?: number }
export type BlobStream = { stream: ReadableStream<Uint8Array>; size: number; length: number }

/**
 * Where blob bytes live. Every upload is first received into a local temp file (hashed, sniffed,
 * inspected); what happens next is the store's business. Methods may be synchronous (disk) or not
 * (S3): callers always await them.
 */
export interface BlobStore {
  readonly opts: { tempLocation: string }
  /** The local temp file of an upload received by putTemp (until storeTemp or makePermanent). */
  tempPath(tempKey: string): string
  /** `declaredLength`: the body's length when known in advance (a Content-Length); it is then checked, not trusted. */
  putTemp(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number, declaredLength?: number): Promise<TempUpload>
  /** Keeps a received upload as an uncommitted blob of `did` (after its database row exists). */
  storeTemp(upload: TempUpload, did: string): void | Promise<void>
  /** Commits an upload; idempotent, throws BlobNotFoundError when the bytes are gone. */
  makePermanent(tempKey: string, did: string, cid: CID | string): void | Promise<void>
  /** Drops an uncommitted upload (`did`/`cid` say which one for stores that key by CID). */
  deleteTemp(tempKey: string, did?: string, cid?: CID | string): void | Promise<void>
  delete(did: string, cid: CID | string): void | Promise<void>
  deleteAll(did: string): void | Promise<void>
  /** Takedown: moves committed bytes out of the served tree (as the reference); a no-op when absent. */
  quarantine(did: string, cid: CID | string): void | Promise<void>
  /** Reverses quarantine; a no-op when the blob is not quarantined. */
  unquarantine(did: string, cid: CID | string): void | Promise<void>
  /** Committed bytes, optionally a byte range [start, end] (inclusive). `size`: the size recorded in the database. */
  getBlobStream(did: string, cid: CID | string, range?: Range, size?: number): BlobStream
}

/** Streams a body to <tempLocation>/<random> while hashing. */
export async function receiveToTempFile(
  tempLocation: string,
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  maxBytes: number,
  declaredLength?: number,
): Promise<TempUpload> {
  if (declaredLength !== undefined && declaredLength <= maxBytes && body instanceof ReadableStream) {
    return receiveKnownLength(tempLocation, body, declaredLength)
  }
  const tempKey = randomBytes(16).toString('hex')
  const path = join(tempLocation, tempKey)
  const hash = createHash('sha256')
  const head = new Uint8Array(SNIFF_BYTES)
  let headLength = 0
  let size = 0
  const file = await open(path, 'wx', 0o600)
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength
      if (size > maxBytes) throw tooLarge('request entity too large')
      if (headLength < SNIFF_BYTES) {
        const take = chunk.subarray(0, SNIFF_BYTES - headLength)
        head.set(take, headLength)
        headLength += take.length
      }
      hash.update(chunk)
      await file.write(chunk)
    }
    await file.sync()
  } catch (err) {
    await file.close().catch(() => {})
    await unlink(path).catch(() => {})
    throw err
  }
  await file.close()
  // Acknowledged uploads survive a power loss: the bytes were synced above, now the temp file's name.
  fsyncDirectory(tempLocation)
  const cid = CID.createV1(RAW, createDigest(0x12, hash.digest()))
  return { tempKey, cid, size, sniffedMime: sniffMimeType(head.subarray(0, headLength)) }
}

/**
 * A body of known length: Bun pipes it into the file natively, so no chunk passes through JS. Read
 * chunk by chunk (above), a request body arrives faster than it is written and piles up in memory
 * (~8 MB RSS per 10 MB upload); here the growth stays under 1 MB. The length bounds the body (HTTP
 * framing); what arrived is checked against it. Then synced, and hashed and sniffed by reading the
 * file back through one buffer.
 */
async function receiveKnownLength(tempLocation: string, body: ReadableStream<Uint8Array>, length: number): Promise<TempUpload> {
  const tempKey = randomBytes(16).toString('hex')
  const path = join(tempLocation, tempKey)
  closeSync(openSync(path, 'wx', 0o600)) // a new private file; Bun.write keeps its mode
  let fd: number | undefined
  try {
    const written = await Bun.write(path, body)
    if (written !== length) throw invalidInput(`request body was ${written} bytes, not the declared ${length}`)
    fd = openSync(path, 'r')
    fsyncSync(fd)
    const hash = createHash('sha256')
    const buffer = new Uint8Array(Math.min(256 * 1024, Math.max(length, SNIFF_BYTES)))
    let head: Uint8Array | undefined
    for (let position = 0; position < length; ) {
      const n = readSync(fd, buffer, 0, buffer.length, position)
      if (n <= 0) throw new Error(`temp file ${path} is shorter than the ${length} bytes written`)
      head ??= buffer.slice(0, Math.min(n, SNIFF_BYTES))
      hash.update(buffer.subarray(0, n))
      position += n
    }
    closeSync(fd)
    // Acknowledged uploads survive a power loss: the bytes were synced above, now the temp file's name.
    fsyncDirectory(tempLocation)
    const cid = CID.createV1(RAW, createDigest(0x12, hash.digest()))
    return { tempKey, cid, size: length, sniffedMime: sniffMimeType(head ?? new Uint8Array(0)) }
  } catch (err) {
    if (fd !== undefined) closeSync(fd)
    rmSync(path, { force: true })
    throw err
  }
}

export class DiskBlobStore implements BlobStore {
  constructor(readonly opts: { location: string; tempLocation: string }) {
    mkdirDurable(opts.location)
    mkdirDurable(opts.tempLocation)
  }

  tempPath(tempKey: string): string {
    return join(this.opts.tempLocation, tempKey)
  }

  blobPath(did: string, cid: CID | string): string {
    return join(this.opts.location, did, cid.toString())
  }

  /** `<location>/quarantine/<did>/<cid>`, as the reference's disk blobstore (a DID never names a folder "quarantine"). */
  quarantinePath(did: string, cid: CID | string): string {
    return join(this.opts.location, 'quarantine', did, cid.toString())
  }

  /** Streams a body to a temp file, hashing as it goes; never holds more than one chunk. */
  putTemp(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number, declaredLength?: number): Promise<TempUpload> {
    return receiveToTempFile(this.opts.tempLocation, body, maxBytes, declaredLength)
  }

  /** Uncommitted uploads stay in the temp directory. */
  storeTemp(): void {}

  /**
   * Moves an upload to its permanent place, durably (the record referencing it is committed next).
   * Idempotent: a crash after the rename but before the database says so leaves the file already in
   * place, which counts as done.
   */
  makePermanent(tempKey: string, did: string, cid: CID | string): void {
    const final = this.blobPath(did, cid)
    const temp = this.tempPath(tempKey)
    if (existsSync(temp)) {
      mkdirDurable(join(this.opts.location, did))
      renameDurable(temp, final)
      return
    }
    if (!existsSync(final)) throw new BlobNotFoundError(cid.toString())
    fsyncDirectory(dirname(final)) // a power loss may have cut the earlier attempt short of its sync
  }

  deleteTemp(tempKey: string): void {
    rmSync(this.tempPath(tempKey), { force: true })
  }

  delete(did: string, cid: CID | string): void {
    rmSync(this.blobPath(did, cid), { force: true })
    rmSync(this.quarantinePath(did, cid), { force: true })
  }

  deleteAll(did: string): void {
    rmSync(join(this.opts.location, did), { recursive: true, force: true })
    rmSync(join(this.opts.location, 'quarantine', did), { recursive: true, force: true })
  }

  quarantine(did: string, cid: CID | string): void {
    moveIfPresent(this.blobPath(did, cid), this.quarantinePath(did, cid))
  }

  unquarantine(did: string, cid: CID | string): void {
    moveIfPresent(this.quarantinePath(did, cid), this.blobPath(did, cid))
  }

  hasPermanent(did: string, cid: CID | string): boolean {
    return existsSync(this.blobPath(did, cid))
  }

  /** A blob's bytes as a stream, optionally a byte range [start, end] (inclusive, as HTTP Range). */
  getBlobStream(did: string, cid: CID | string, range?: Range): BlobStream {
    const path = this.blobPath(did, cid)
    if (!existsSync(path)) throw new BlobNotFoundError(cid.toString())
    const size = statSync(path).size
    const file = Bun.file(path)
    if (!range) return { stream: file.stream(), size, length: size }
    const end = Math.min(range.end ?? size - 1, size - 1)
    const slice = file.slice(range.start, end + 1)
    return { stream: slice.stream(), size, length: Math.max(0, end + 1 - range.start) }
  }
}

function moveIfPresent(from: string, to: string): void {
  if (!existsSync(from)) return
  mkdirDurable(dirname(to))
  renameDurable(from, to)
}
