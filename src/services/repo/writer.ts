// The one write path: checks under the repo's lock, the signed commit built before the
// transaction, then ONE synchronous SQLite transaction, then the firehose. See DESIGN.md.
import { CID, decodeCbor, parseCid } from '../../core/cbor.ts'
import { finishCommit, prepareCommit, type CommitData, type RecordWrite } from '../../core/repo/index.ts'
import { unsignedCommitBytes } from '../../core/commit.ts'
import type { Keypair } from '../../core/crypto/index.ts'
import type { PresignedNonce } from '../../core/crypto/presigned.ts'
import { nextTid } from '../../core/syntax/index.ts'
import type { ActorDb } from '../../storage/actor/actor-db.ts'
import { BadCommitSwapError, BadRecordSwapError, BlobReferenceError } from './errors.ts'
import type { PreparedCreateOrUpdate, PreparedWrite } from './prepare.ts'

export type PendingBlob = { cid: string; tempKey: string }

/** Record-swap checks exactly as the reference (actor-store/repo/transactor.ts formatCommit). */
export function checkSwaps(db: ActorDb, rootCid: CID, swapCommit: CID | undefined, writes: PreparedWrite[]): void {
  if (swapCommit && !rootCid.equals(swapCommit)) throw new BadCommitSwapError(rootCid)
  for (const write of writes) {
    const swapCid = write.swapCid
    if (swapCid === undefined) continue
    const row = db.getRecordRow(write.collection, write.rkey)
    const current = row ? parseCid(row.cid) : null
    if (write.action === 'create' && swapCid !== null) throw new BadRecordSwapError(current)
    if (write.action === 'update' && swapCid === null) throw new BadRecordSwapError(current)
    if (write.action === 'delete' && swapCid === null) throw new BadRecordSwapError(current)
    if ((current || swapCid) && !(current && swapCid && current.equals(swapCid))) throw new BadRecordSwapError(current)
  }
}

/** Every referenced blob must be uploaded with the same mime type and size; returns the temp ones. */
export function checkBlobs(db: ActorDb, writes: PreparedWrite[]): PendingBlob[] {
  const pending = new Map<string, PendingBlob>()
  for (const write of writes) {
    if (write.action === 'delete') continue
    for (const blob of write.blobs) {
      const cid = blob.ref.toString()
      const found = db.getBlob(cid)
      if (!found || found.takedownRef) throw new BlobReferenceError(`Could not find blob: ${cid}`, 'BlobNotFound')
      if (!found.tempKey) continue
      if (blob.mimeType !== found.mimeType) {
        throw new BlobReferenceError(
          `Referenced Mimetype does not match stored blob. Expected: ${found.mimeType}, Got: ${blob.mimeType}`,
          'InvalidMimeType',
        )
      }
      if (blob.size !== found.size) {
        throw new BlobReferenceError(`Referenced Size does not match stored blob. Expected: ${found.size}, Got: ${blob.size}`, 'InvalidSize')
      }
      pending.set(cid, { cid, tempKey: found.tempKey })
    }
  }
  return [...pending.values()]
}

/** The commit's data root: remembered from the last commit written, else read from its block. */
export function dataRootOf(db: ActorDb, commitCid: CID): CID {
  const known = db.knownDataRoot(commitCid)
  if (known) return known
  const bytes = db.blockReader().get(commitCid)
  if (!bytes) throw new Error(`repo ${db.did} is missing its commit block ${commitCid}`)
  return (decodeCbor(bytes) as { data: CID }).data
}

/**
 * The repo's next commit, signed by `key`: with `nonce` (made ahead of time, src/services/repo/nonce-pool.ts)
 * when there is one and the key's curve is the nonce's, the usual way otherwise.
 */
export function buildCommit(db: ActorDb, root: { cid: CID; rev: string }, writes: PreparedWrite[], key: Keypair, nonce?: PresignedNonce): CommitData {
  const recordWrites: RecordWrite[] = writes.map((w) =>
    w.action === 'delete'
      ? { action: 'delete', collection: w.collection, rkey: w.rkey }
      : { action: w.action, collection: w.collection, rkey: w.rkey, record: w.record, block: { cid: w.cid, bytes: w.bytes } },
  )
  const pending = prepareCommit({
    reader: db.blockReader(),
    prevCommit: { cid: root.cid, dataRoot: dataRootOf(db, root.cid), rev: root.rev },
    did: db.did,
    writes: recordWrites,
    rev: nextTid(root.rev),
    // A dropped record block may still back another record with identical content.
    isRecordCidReferencedElsewhere: (cid, changed) => db.recordPathsWithCid(cid.toString()).some((p) => !changed.has(p)),
  })
  const bytes = unsignedCommitBytes(pending.unsigned)
  return finishCommit(pending, { ...pending.unsigned, sig: (nonce && key.signWithNonce(bytes, nonce)) ?? key.sign(bytes) })
}

/**
 * Writes a built commit: blocks, root, record index, backlinks and blob links, in one
 * transaction with no await. Returns the blob CIDs no record references any more.
 * `deferSync`: the commit is durable only once `db.flushCommits()` resolves (group commit).
 */
export function persistCommit(db: ActorDb, commit: CommitData, writes: PreparedWrite[], now: string, opts: { deferSync?: boolean } = {}): string[] {
  const transact = opts.deferSync ? db.transactDeferred.bind(db) : db.transact.bind(db)
  const unreferenced = transact(() => {
    for (const cid of commit.removedCids) db.deleteBlock(cid)
    for (const block of commit.newBlocks.values()) db.putBlock(block.cid, block.bytes, commit.rev)
    db.setRoot(commit.cid, commit.rev, now)
    const dereferenced = new Set<string>()
    for (const write of writes) {
      if (write.action !== 'create') for (const cid of db.unlinkRecordBlobs(write.uri)) dereferenced.add(cid)
      if (write.action === 'delete') {
        db.deleteRecord(write.uri)
        continue
      }
      indexRecord(db, write, commit.rev, now)
    }
    const unreferenced: string[] = []
    for (const cid of dereferenced) {
      if (db.isBlobReferenced(cid)) continue
      db.deleteBlobRow(cid)
      unreferenced.push(cid)
    }
    return unreferenced
  })
  db.rememberCommitBlocks(commit.newBlocks.values())
  db.rememberDataRoot(commit.cid, commit.dataRoot)
  return unreferenced
}

export function indexRecord(db: ActorDb, write: PreparedCreateOrUpdate, rev: string, now: string): void {
  db.upsertRecord(write.uri, write.cid.toString(), write.collection, write.rkey, rev, now)
  db.setBacklinks(write.uri, write.backlinks)
  for (const blob of write.blobs) {
    const cid = blob.ref.toString()
    db.linkRecordBlob(cid, write.uri)
    db.markBlobPermanent(cid)
  }
}
