// Event bodies as the reference PDS stores them in repo_seq (packages/pds/src/sequencer/events.ts):
// DAG-CBOR without seq/time, which frames.ts adds when it builds the wire frame.
import { CID, decodeCbor, encodeCbor } from '../../core/cbor.ts'
import { carToBytes } from '../../core/car.ts'
import type { AccountStatus, CommitEvent } from '../events.ts'

/** The reference's eventType column values; a commit is stored as 'append'. */
export type SeqEventType = 'append' | 'sync' | 'identity' | 'account'

export type SeqInsert = {
  did: string
  eventType: SeqEventType
  event: Uint8Array
  /** The object `event` encodes, so the live frame is built without decoding it again. */
  body?: Record<string, unknown>
}

export type CommitOpBody = {
  action: 'create' | 'update' | 'delete'
  path: string
  cid: CID | null
  prev?: CID
}

export type CommitBody = {
  repo: string
  commit: CID
  rev: string
  since: string | null
  blocks: Uint8Array
  ops: CommitOpBody[]
  prevData?: CID
  rebase: false
  tooBig: false
  blobs: CID[]
}
export type SyncBody = { did: string; rev: string; blocks: Uint8Array }
export type IdentityBody = { did: string; handle?: string }
export type AccountBody = {
  did: string
  active: boolean
  status?: AccountStatus
}

export function formatCommit(evt: CommitEvent): SeqInsert {
  const body: CommitBody = {
    repo: evt.did,
    commit: evt.commit,
    rev: evt.rev,
    since: evt.since,
    blocks: carToBytes(evt.commit, uniqueBlocks(evt.blocks)),
    ops: evt.ops.map((op) => {
      const out: CommitOpBody = {
        action: op.action,
        path: op.path,
        cid: op.cid ?? null,
      }
      // `prev` is absent (not null) for creates, as the reference's commitEvtOp.
      if (op.prev) out.prev = op.prev
      return out
    }),
    rebase: false,
    tooBig: false,
    // Deprecated but still required by the lexicon; the reference always sends [].
    blobs: [],
  }
  if (evt.prevData) body.prevData = evt.prevData
  return { did: evt.did, eventType: 'append', event: encodeCbor(body), body }
}

export function formatSync(did: string, commit: { cid: CID; bytes: Uint8Array; rev: string }): SeqInsert {
  const body: SyncBody = {
    did,
    rev: commit.rev,
    blocks: carToBytes(commit.cid, [commit]),
  }
  return { did, eventType: 'sync', event: encodeCbor(body), body }
}

export function formatIdentity(did: string, handle?: string): SeqInsert {
  const body: IdentityBody = handle ? { did, handle } : { did }
  return { did, eventType: 'identity', event: encodeCbor(body), body }
}

export function formatAccount(did: string, active: boolean, status?: AccountStatus): SeqInsert {
  const body: AccountBody = active ? { did, active: true } : { did, active: false, status: status ?? 'deactivated' }
  return { did, eventType: 'account', event: encodeCbor(body), body }
}

/** The rev a stored commit or sync event carries (crash recovery compares it with the repo's). */
export function revOfEvent(eventType: string, event: Uint8Array): string | null {
  if (eventType !== 'append' && eventType !== 'sync') return null
  return (decodeCbor(event) as { rev?: string }).rev ?? null
}

function uniqueBlocks(blocks: Array<{ cid: CID; bytes: Uint8Array }>) {
  const seen = new Set<string>()
  return blocks.filter((b) => {
    const key = b.cid.toString()
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
