// The commit builder: apply record writes to the MST, sign a new commit, and report every
// block to store, every block to delete, the firehose ops, and the proof blocks.
import { CID, encodeBlock } from '../cbor.ts'
import { encodeCommit, signCommit, type Commit, type Signer, type UnsignedCommit } from '../commit.ts'
import { Mst, addCoveringProofs, type Block, type BlockReader } from '../mst/index.ts'
import { InvalidWriteError, RecordAlreadyExistsError, RecordNotFoundError } from './errors.ts'
import type { CommitData, PrevCommit, RecordWrite, RepoOp } from './types.ts'

export interface ApplyWritesInput {
  reader: BlockReader
  prevCommit: PrevCommit | null
  did: string
  writes: RecordWrite[]
  signer: Signer
  rev: string
  /**
   * Record blocks are content-addressed, so two keys may share one record CID. When a write
   * drops a record CID, it is only listed in removedCids if this returns false. Pass a lookup
   * on the record index ("does any record outside `changedPaths` have this CID?").
   * Without it, dropped record CIDs are assumed unshared (as @atproto/repo assumes).
   */
  isRecordCidReferencedElsewhere?: (cid: CID, changedPaths: ReadonlySet<string>) => boolean
}

/** Build (but do not store) the next commit of a repo. */
export function applyWritesToRepo(input: ApplyWritesInput): CommitData {
  const pending = prepareCommit(input)
  return finishCommit(pending, signCommit(pending.unsigned, input.signer))
}

/**
 * A commit with its writes applied to the MST and its blocks known, waiting only for its signature
 * (`finishCommit`): the caller may have it signed elsewhere, e.g. on another thread.
 */
export interface PendingCommit {
  unsigned: UnsignedCommit
  prevCommit: PrevCommit | null
  newBlocks: Map<string, Block>
  removedCids: CID[]
  ops: RepoOp[]
  /** The MST proof nodes (beyond the new blocks) needed to invert the ops. */
  proofBlocks: Map<string, Block>
}

/** Applies the writes to the MST of `input.prevCommit` (everything of applyWritesToRepo but the signature). */
export function prepareCommit(input: Omit<ApplyWritesInput, 'signer'>): PendingCommit {
  const { reader, prevCommit, did, writes, rev } = input
  if (prevCommit && rev <= prevCommit.rev) {
    throw new InvalidWriteError(`rev ${rev} must be greater than previous rev ${prevCommit.rev}`)
  }
  const mst = prevCommit ? Mst.load(reader, prevCommit.dataRoot) : Mst.empty(reader)
  const recordBlocks = new Map<string, Block>()
  const droppedRecords = new Map<string, CID>()
  const ops: RepoOp[] = []

  for (const write of writes) {
    const path = `${write.collection}/${write.rkey}`
    if (write.action === 'delete') {
      const prev = mst.delete(path)
      if (!prev) throw new RecordNotFoundError(path)
      droppedRecords.set(prev.toString(), prev)
      ops.push({ action: 'delete', path, cid: null, prev })
      continue
    }
    if (write.record === undefined) throw new InvalidWriteError(`${write.action} of ${path} has no record`)
    const block = write.block ?? encodeBlock(write.record)
    const existing = mst.get(path)
    if (write.action === 'create' && existing) throw new RecordAlreadyExistsError(path)
    if (write.action === 'update' && !existing) throw new RecordNotFoundError(path)
    mst.put(path, block.cid)
    recordBlocks.set(block.cid.toString(), block)
    if (existing && !existing.equals(block.cid)) droppedRecords.set(existing.toString(), existing)
    ops.push({ action: write.action, path, cid: block.cid, prev: existing })
  }

  const changes = mst.collectChanges()
  const changedPaths = new Set(ops.map((op) => op.path))
  const newBlocks = new Map<string, Block>()
  // Only record blocks still referenced at the end of the batch are stored.
  const finalRecordCids = new Set<string>()
  for (const path of changedPaths) {
    const cid = mst.get(path)
    if (cid) finalRecordCids.add(cid.toString())
  }
  for (const key of finalRecordCids) {
    const block = recordBlocks.get(key)
    if (block) newBlocks.set(key, block)
  }
  for (const [key, block] of changes.newBlocks) newBlocks.set(key, block)

  const removedCids = [...changes.removedCids]
  for (const [key, cid] of droppedRecords) {
    if (finalRecordCids.has(key)) continue
    if (input.isRecordCidReferencedElsewhere?.(cid, changedPaths)) continue
    removedCids.push(cid)
  }

  const covering = new Map(newBlocks)
  addCoveringProofs(mst, changedPaths, covering)
  const proofBlocks = new Map([...covering].filter(([key]) => !newBlocks.has(key)))
  const unsigned: UnsignedCommit = { did, version: 3, data: changes.root, rev, prev: null }
  return { unsigned, prevCommit, newBlocks, removedCids, ops, proofBlocks }
}

/** The signed commit: its block joins the new and relevant blocks, and replaces the previous one. */
export function finishCommit(pending: PendingCommit, commit: Commit): CommitData {
  const { unsigned, prevCommit, newBlocks, removedCids, ops, proofBlocks } = pending
  const commitBlock = encodeCommit(commit)
  newBlocks.set(commitBlock.cid.toString(), commitBlock)
  const relevantBlocks = new Map([...newBlocks, ...proofBlocks])
  if (prevCommit && !prevCommit.cid.equals(commitBlock.cid)) removedCids.push(prevCommit.cid)
  return {
    cid: commitBlock.cid,
    rev: unsigned.rev,
    since: prevCommit?.rev ?? null,
    prevData: prevCommit?.dataRoot ?? null,
    dataRoot: unsigned.data,
    newBlocks,
    removedCids,
    ops,
    relevantBlocks,
  }
}

/** The genesis commit: an empty MST root node and a signed commit pointing at it. */
export function createEmptyRepo(did: string, signer: Signer, rev: string): CommitData {
  return applyWritesToRepo({ reader: { get: () => undefined }, prevCommit: null, did, writes: [], signer, rev })
}
