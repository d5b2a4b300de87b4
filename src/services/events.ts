// What the repo and account services tell the firehose. The sequencer implements this; until it is
// wired, the composition root passes NO_EVENTS. Calls happen after the data is durably written.
import type { CID } from '../core/cbor.ts'
import type { CommitData } from '../core/repo/index.ts'

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

/** A repo's current commit block, as a #sync event carries it. */
export type SyncEventData = { cid: CID; bytes: Uint8Array; rev: string }

/** A new repo's genesis commit and the events the caller sequences (createAccount, in the reference's order). */
export type GenesisCommit = { cid: CID; rev: string; commitEvent: CommitEvent; syncEvent: SyncEventData }

/** A commit's event on its way (promises that never reject): stored (appended), then published. */
export type SequencedCommit = { stored: Promise<void>; published: Promise<void> }

export interface RepoEventSink {
  /**
   * Returns nothing when the event is stored on return; else when it will be stored and published.
   * `durable`: resolves once the commit itself is on stable storage; the event is not sent before.
   */
  commit(evt: CommitEvent, durable?: Promise<unknown>): void | SequencedCommit
  /** A #sync event: the repo's current commit block, for creation, activation and recovery. */
  sync(did: string, commit: SyncEventData): void
  identity(did: string, handle?: string): void
  account(did: string, active: boolean, status?: AccountStatus): void
}

export const NO_EVENTS: RepoEventSink = {
  commit() {},
  sync() {},
  identity() {},
  account() {},
}

/** A genesis commit (core's createEmptyRepo) with its #commit (no ops) and #sync event data. */
export function genesisOf(did: string, commit: CommitData): GenesisCommit {
  const commitBlock = commit.newBlocks.get(commit.cid.toString())!
  return {
    cid: commit.cid,
    rev: commit.rev,
    commitEvent: {
      did,
      commit: commit.cid,
      rev: commit.rev,
      since: null,
      prevData: null,
      blocks: [...commit.relevantBlocks.values()],
      ops: [],
      blobs: [],
    },
    syncEvent: { cid: commit.cid, bytes: commitBlock.bytes, rev: commit.rev },
  }
}
