import type { CID } from '../cbor.ts'
import type { Block, BlockReader } from '../mst/index.ts'
import type { Signer } from '../commit.ts'

export type { Block, BlockReader, Signer }

export interface RecordWrite {
  action: 'create' | 'update' | 'delete'
  collection: string
  rkey: string
  /** IPLD value (CIDs as CID, bytes as Uint8Array); required for create and update. */
  record?: unknown
  /** The record's DAG-CBOR block, when the caller has already encoded `record` (spares encoding it twice). */
  block?: { cid: CID; bytes: Uint8Array }
}

export interface PrevCommit {
  cid: CID
  dataRoot: CID
  rev: string
}

export interface RepoOp {
  action: 'create' | 'update' | 'delete'
  /** `collection/rkey` */
  path: string
  cid: CID | null
  prev: CID | null
}

export interface CommitData {
  cid: CID
  rev: string
  since: string | null
  prevData: CID | null
  dataRoot: CID
  /** Record blocks + new MST nodes + the commit block, keyed by CID string. */
  newBlocks: Map<string, Block>
  /** Blocks to delete: displaced MST nodes, the previous commit, and dropped record blocks. */
  removedCids: CID[]
  ops: RepoOp[]
  /** Firehose CAR blocks: newBlocks plus the covering-proof nodes for every op. */
  relevantBlocks: Map<string, Block>
}
