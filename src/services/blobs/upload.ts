// uploadBlob: stream to a temp file while hashing, sniff the type, track the blob as temporary
// until a record references it. Bytes are kept exactly as uploaded (CID = hash of the upload):
// EXIF is not stripped server-side; clients strip it, as with the reference PDS.
import { readdirSync, rmSync, statSync } from 'node:fs'
import { imageInfo } from '../../native/sharp.ts'
import type { ActorDb } from '../../storage/actor/actor-db.ts'
import type { BlobStore } from './store.ts'

/** Bytes as they arrive, never buffered: a blob upload or a repo import. */
export type ByteUpload = { encoding: string; body: ReadableStream<Uint8Array>; length?: number }

export type BlobRefJson = { $type: 'blob'; ref: { $link: string }; mimeType: string; size: number }

/** Uploads never referenced by a record are removed after this long. */
export const TEMP_BLOB_GRACE_MS = 6 * 60 * 60 * 1000

export async function uploadBlob(
  store: BlobStore,
  openDb: () => ActorDb,
  body: ReadableStream<Uint8Array>,
  declaredMime: string | undefined,
  maxBytes: number,
  declaredLength?: number,
): Promise<BlobRefJson> {
  const upload = await store.putTemp(body, maxBytes, declaredLength)
  const fallback = declaredMime && declaredMime !== '*/*' && declaredMime.includes('/') ? declaredMime : 'application/octet-stream'
  const mimeType = upload.sniffedMime ?? fallback
  const cid = upload.cid.toString()
  try {
    let dims: { width: number; height: number } | null = null
    if (mimeType.startsWith('image/')) dims = await imageInfo(store.tempPath(upload.tempKey)).catch(() => null)
    const db = openDb()
    const now = new Date()
    // Sweep first: a stale temporary row for this same CID must not take the new upload with it.
    sweepStaleTempBlobs(store, db, now.getTime() - TEMP_BLOB_GRACE_MS)
    // Re-uploading a blob that is already permanent keeps the stored copy.
    if (isPermanent(db, cid)) {
      await store.deleteTemp(upload.tempKey)
    } else {
      await store.storeTemp(upload, db.did)
      db.trackTempBlob({ cid, mimeType, size: upload.size, tempKey: upload.tempKey, width: dims?.width ?? null, height: dims?.height ?? null }, now.toISOString())
      if (db.getBlob(cid)?.tempKey !== upload.tempKey) await store.deleteTemp(upload.tempKey)
      else if (db.isBlobReferenced(cid)) {
        // An imported record already points at it (account migration): it is permanent at once.
        await store.makePermanent(upload.tempKey, db.did, cid)
        db.markBlobPermanent(cid)
      }
    }
  } catch (err) {
    rmSync(store.tempPath(upload.tempKey), { force: true })
    throw err
  }
  return { $type: 'blob', ref: { $link: cid }, mimeType, size: upload.size }
}

function isPermanent(db: ActorDb, cid: string): boolean {
  const row = db.getBlob(cid)
  return !!row && !row.tempKey
}

/** Drops an account's temp uploads older than `before` that no record references. */
export function sweepStaleTempBlobs(store: BlobStore, db: ActorDb, before: number): number {
  const stale = db.staleTempBlobs(new Date(before).toISOString())
  for (const row of stale) {
    db.deleteBlobRow(row.cid)
    // Best effort: a failed delete leaves an unreachable object, not a broken account.
    if (row.tempKey) void Promise.resolve(store.deleteTemp(row.tempKey, db.did, row.cid)).catch(() => {})
  }
  return stale.length
}

/** Removes temp files older than `before` (uploads of accounts that never came back). */
export function sweepTempDirectory(store: BlobStore, before: number): number {
  let removed = 0
  for (const name of readdirSync(store.opts.tempLocation)) {
    try {
      if (statSync(store.tempPath(name)).mtimeMs < before) {
        rmSync(store.tempPath(name), { force: true })
        removed++
      }
    } catch {
      // raced with a rename or another sweep
    }
  }
  return removed
}
