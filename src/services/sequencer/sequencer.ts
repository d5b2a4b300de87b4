// The Sequencer: appends repo/account events to sequencer.sqlite and hands each new event's frame,
// encoded once, to the live firehose. It is the RepoEventSink the repo and account services call.
import type { Logger } from '../../logger.ts'
import type { AccountStatus, CommitEvent, RepoEventSink } from '../events.ts'
import type { CID } from '../../core/cbor.ts'
import { formatAccount, formatCommit, formatIdentity, formatSync, type SeqInsert } from './events.ts'
import { frameForRow, type SeqRow } from './frames.ts'
import type { SequencerStore } from './store.ts'

export type LiveEvent = { seq: number; frame: Uint8Array }
export type LiveListener = (events: LiveEvent[]) => void

export type SequencerOptions = {
  log: Logger
  /** Called after each append, e.g. to notify relays (never awaited). */
  onAppend?: () => void
  /** Bytes of recent frames kept so replaying subscribers do not re-encode them. */
  frameCacheBytes?: number
}

export class Sequencer implements RepoEventSink {
  private readonly listeners = new Set<LiveListener>()
  private readonly frameCache = new Map<number, Uint8Array>()
  private frameCacheSize = 0
  private readonly frameCacheLimit: number

  constructor(
    readonly store: SequencerStore,
    private readonly opts: SequencerOptions,
  ) {
    this.frameCacheLimit = opts.frameCacheBytes ?? 32 * 1024 * 1024
  }

  commit(evt: CommitEvent): void {
    this.sequence([formatCommit(evt)])
  }

  sync(did: string, commit: { cid: CID; bytes: Uint8Array; rev: string }): void {
    this.sequence([formatSync(did, commit)])
  }

  identity(did: string, handle?: string): void {
    this.sequence([formatIdentity(did, handle)])
  }

  account(did: string, active: boolean, status?: AccountStatus): void {
    const rows = this.sequence([formatAccount(did, active, status)])
    // As the reference's sequenceAccountDeletion: a deleted account keeps only its #account event.
    const last = rows.at(-1)
    if (!active && status === 'deleted' && last) this.store.deleteOtherEvents(did, last.seq)
  }

  /** Appends events atomically and publishes them; returns the stored rows. */
  sequence(events: SeqInsert[]): SeqRow[] {
    let rows: SeqRow[]
    try {
      rows = this.store.append(events)
    } catch (err) {
      // The write itself is already durable; startup recovery emits a #sync for the repo.
      this.opts.log.error('failed to sequence event', {
        err,
        dids: events.map((e) => e.did),
      })
      return []
    }
    const live: LiveEvent[] = []
    for (const row of rows) {
      const frame = frameForRow(row)
      if (!frame) continue
      this.remember(row.seq, frame)
      live.push({ seq: row.seq, frame })
    }
    for (const listener of this.listeners) {
      try {
        listener(live)
      } catch (err) {
        this.opts.log.error('firehose listener failed', { err })
      }
    }
    this.opts.onAppend?.()
    return rows
  }

  /** The frame of a stored row, from the cache when it is recent. */
  frameOf(row: SeqRow): Uint8Array | null {
    const cached = this.frameCache.get(row.seq)
    if (cached) return cached
    const frame = frameForRow(row)
    if (frame) this.remember(row.seq, frame)
    return frame
  }

  onEvents(listener: LiveListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Deletes events older than the replay window; see SequencerStore.prune. */
  prune(windowMs: number, now = Date.now()): number {
    return this.store.prune(new Date(now - windowMs).toISOString())
  }

  private remember(seq: number, frame: Uint8Array) {
    if (this.frameCache.has(seq) || frame.length > this.frameCacheLimit) return
    this.frameCache.set(seq, frame)
    this.frameCacheSize += frame.length
    for (const [oldSeq, old] of this.frameCache) {
      if (this.frameCacheSize <= this.frameCacheLimit) break
      this.frameCache.delete(oldSeq)
      this.frameCacheSize -= old.length
    }
  }
}
