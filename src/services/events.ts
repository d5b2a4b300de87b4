// What the repo and account services tell the firehose. The sequencer implements this; until it is
// wired, the composition root passes NO_EVENTS. Calls happen after the data is durably written.
import type { CID } from '../core/cbor.ts'

export type AccountStatus = 'takendown' | 'suspended' | 'deleted' | 'deactivated' | 'desynchronized' | 'throttled'

/** One repo commit as the firehose needs it (sync 1.1). */
export type CommitEvent = {
  did: string
  commit: CID
  rev: string
  since: string | null
  prevData: CID | null
  /** New blocks plus the MST proof nodes needed to invert the ops, as CAR-ready blocks. */
  blocks: Array<{ cid: CID; bytes: Uint8Array }>
  ops: Array<{ action: 'create' | 'update' | 'delete'; path: string; cid: CID | null; prev?: CID | null }>
  blobs: CID[]
}

export interface RepoEventSink {
  commit(evt: CommitEvent): void
  /** A #sync event: the repo's current commit block, for creation, activation and recovery. */
  sync(did: string, commit: { cid: CID; bytes: Uint8Array; rev: string }): void
  identity(did: string, handle?: string): void
  account(did: string, active: boolean, status?: AccountStatus): void
}

export const NO_EVENTS: RepoEventSink = {
  commit() {},
  sync() {},
  identity() {},
  account() {},
}
