// uploadBlob: stream to a temp file while hashing, sniff the type, track the blob as temporary
// until a record references it. Bytes are kept exactly as uploaded (CID = hash of the upload):
// EXIF is not stripped server-side; clients strip it, as with the reference PDS.
import { readdirSync, statSync } from 'node:fs'
import { imageInfo } from '../../native/sharp.ts'
import type { ActorDb } from '../../storage/actor/actor-db.ts'
import type { DiskBlobStore } from './store.ts'

export type BlobRefJson = { $type: 'blob'; ref: { $link: string }; mimeType: string; size: number }

/** Uploads never referenced by a record are removed after this long. */
export const TEMP_BLOB_GRACE_MS = 6 * 60 * 60 * 1000

export async function uploadBlob(
  store: DiskBlobStore,
  openDb: () => ActorDb,
  body: ReadableStream<Uint8Array>,
  declaredMime: string | undefined,
  maxBytes: number,
): Promise<BlobRefJson> {
  const upload = await store.putTemp(body, maxBytes)
  const fallback = declaredMime && declaredMime !== '*/*' && declaredMime.includes('/') ? declaredMime : 'application/octet-stream'
  const mimeType = upload.sniffedMime ?? fallback
  let dims: { width: number; height: number } | null = null
  if (mimeType.startsWith('image/')) dims = await imageInfo(store.tempPath(upload.tempKey)).catch(() => null)
  const db = openDb()
  const cid = upload.cid.toString()
  const now = new Date()
  db.trackTempBlob({ cid, mimeType, size: upload.size, tempKey: upload.tempKey, width: dims?.width ?? null, height: dims?.height ?? null }, now.toISOString())
  // Re-uploading a blob that is already permanent keeps the stored copy.
  if (db.getBlob(cid)?.tempKey !== upload.tempKey) store.deleteTemp(upload.tempKey)
  else if (db.isBlobReferenced(cid)) {
    // An imported record already points at it (account migration): it is permanent at once.
    store.makePermanent(upload.tempKey, db.did, cid)
    db.markBlobPermanent(cid)
  }
  sweepStaleTempBlobs(store, db, now.getTime() - TEMP_BLOB_GRACE_MS)
  return { $type: 'blob', ref: { $link: cid }, mimeType, size: upload.size }
}

/** Drops an account's temp uploads older than `before` that no record references. */
export function sweepStaleTempBlobs(store: DiskBlobStore, db: ActorDb, before: number): number {
  const stale = db.staleTempBlobs(new Date(before).toISOString())
  for (const row of stale) {
    db.deleteBlobRow(row.cid)
    if (row.tempKey) store.deleteTemp(row.tempKey)
  }
  return stale.length
}

/** Removes temp files older than `before` (uploads of accounts that never came back). */
export function sweepTempDirectory(store: DiskBlobStore, before: number): number {
  let removed = 0
  for (const name of readdirSync(store.opts.tempLocation)) {
    try {
      if (statSync(store.tempPath(name)).mtimeMs < before) {
        store.deleteTemp(name)
        removed++
      }
    } catch {
      // raced with a rename or another sweep
    }
  }
  return removed
}
