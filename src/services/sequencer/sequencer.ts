// The Sequencer: appends repo/account events to sequencer.sqlite and hands each new event's frame,
// encoded once, to the live firehose. It is the RepoEventSink the repo and account services call.
import type { Logger } from '../../logger.ts'
import type { Metrics } from '../metrics.ts'
import type { AccountStatus, CommitEvent, RepoEventSink, SyncEventData } from '../events.ts'
import { decodeCbor } from '../../core/cbor.ts'
import { formatAccount, formatCommit, formatIdentity, formatSync, revOfEvent, type SeqInsert } from './events.ts'
import { frameForRow, framesFromStored, type SeqRow } from './frames.ts'
import type { ReplayRow, SequencerStore } from '../../storage/sequencer/repo-seq.ts'
import { walSyncOf } from '../../storage/wal-sync.ts'

export type LiveEvent = { seq: number; frame: Uint8Array }
export type LiveListener = (events: LiveEvent[]) => void

/** The repo's current commit, to re-announce a repo whose event could not be stored. */
export type ResyncSource = (did: string) => SyncEventData | null

/** Events lost to a failed append, per DID, until they are made good. */
type PendingResync = { sync: boolean; identity?: SeqInsert; account?: SeqInsert }

export type SequencerOptions = {
  log: Logger
  /** How soon a failed append is retried when no other event comes first (default 5 s). */
  retryMs?: number
  /** Called after each append, e.g. to notify relays (never awaited). */
  onAppend?: () => void
  /** Told of each stored #commit/#sync, so the repo's dirty mark can be cleared. */
  onRepoSequenced?: (did: string, rev: string) => void
  /** Counts stored events by type (src/services/metrics.ts). */
  metrics?: Pick<Metrics, 'firehoseEvents'>
}

/** Whether appends work: a failing firehose is one of the health alerts (src/services/health). */
export type AppendHealth = { failing: boolean; since: string | null; lastError: string | null; pendingRepos: number }

export class Sequencer implements RepoEventSink {
  private readonly listeners = new Set<LiveListener>()
  private readonly pending = new Map<string, PendingResync>()
  private resyncSource?: ResyncSource
  private retryTimer?: ReturnType<typeof setTimeout>
  /** Appended, waiting for their group commit to reach the disk before anyone sees them. */
  private readonly unpublished: LiveEvent[] = []
  private published: number
  private appendFailure: { since: string; error: string } | null = null
  /** Commits waiting for the end of this turn of the event loop to be appended together (see commit). */
  private queued: SeqInsert[] = []
  private queuedDone?: { promise: Promise<void>; resolve: (done: Promise<void>) => void }

  constructor(
    readonly store: SequencerStore,
    private readonly opts: SequencerOptions,
  ) {
    this.published = store.curr() ?? 0
  }

  /**
   * The last seq on stable storage and sent live. Replays stop here: an event is never sent before it
   * would survive a power loss.
   */
  get publishedSeq(): number {
    return this.published
  }

  /** A page of published events after `afterSeq` as replay sends them (see SequencerStore.replayPage). */
  replayPage(afterSeq: number, limit: number): ReplayRow[] {
    return this.store.replayPage(afterSeq, limit).filter((row) => row.seq <= this.published)
  }

  /**
   * Repo commits share a group commit (storage/wal-sync.ts): the promise resolves once the event is
   * durable and published. It never rejects: a failed append is made good with a #sync (see sequence).
   */
  commit(evt: CommitEvent): Promise<void> | void {
    if (!walSyncOf(this.store.db)) return void this.sequence([formatCommit(evt)])
    // Commits whose actor stores synced in the same turn of the event loop (several accounts writing)
    // are appended together: one transaction, one group commit.
    this.queued.push(formatCommit(evt))
    if (!this.queuedDone) {
      let resolve!: (done: Promise<void>) => void
      this.queuedDone = { promise: new Promise<void>((r) => (resolve = r)), resolve }
      setImmediate(() => this.appendQueued())
    }
    return this.queuedDone.promise
  }

  /** Appends the queued commits; their promise resolves once they are durable and published. */
  private appendQueued(): void {
    const done = this.queuedDone
    if (!done) return
    const events = this.queued
    this.queued = []
    this.queuedDone = undefined
    const sync = walSyncOf(this.store.db)
    const rows = this.sequence(events, !!sync)
    if (!sync || rows.length === 0) return done.resolve(Promise.resolve())
    const last = rows.at(-1)!.seq
    done.resolve(
      sync.flush().then(
        () => this.publishUpTo(last),
        (err) => this.opts.log.error('firehose append not synced; published with the next event', { err }),
      ),
    )
  }

  sync(did: string, commit: SyncEventData): void {
    this.sequence([formatSync(did, commit)])
  }

  identity(did: string, handle?: string): void {
    this.sequence([formatIdentity(did, handle)])
  }

  account(did: string, active: boolean, status?: AccountStatus): void {
    this.sequence([formatAccount(did, active, status)])
  }

  /** Where a repo's current commit is read when a lost #commit/#sync has to be made good. */
  setResyncSource(source: ResyncSource): void {
    this.resyncSource = source
  }

  appendHealth(): AppendHealth {
    const failure = this.appendFailure
    return { failing: failure !== null || this.pending.size > 0, since: failure?.since ?? null, lastError: failure?.error ?? null, pendingRepos: this.pending.size }
  }

  /** DIDs with events lost to a failed append and not yet re-announced. */
  get pendingResyncs(): string[] {
    return [...this.pending.keys()]
  }

  /**
   * Appends events atomically and publishes them; returns the stored rows. When the append fails
   * (disk full, locked database...) the write it describes is already durable, so the stream must
   * not just skip it: the DIDs are marked, and after the next successful append (or a timed retry)
   * each gets a #sync of its current commit, and its lost #identity/#account again.
   * `deferred`: published only after a group commit (see commit).
   */
  sequence(events: SeqInsert[], deferred = false): SeqRow[] {
    // Queued commits first: a repo's events keep the order they were made in.
    if (!deferred) this.appendQueued()
    const rows = this.appendAndPublish(events, deferred)
    if (rows) {
      this.settle(rows)
      this.flushPending()
    } else this.markLost(events)
    return rows ?? []
  }

  /** Re-announces the repos of lost events; returns false while the store still fails. */
  flushPending(): boolean {
    if (this.pending.size === 0) return true
    const inserts: SeqInsert[] = []
    const dids = [...this.pending.keys()]
    for (const did of dids) {
      const lost = this.pending.get(did)!
      if (lost.account) inserts.push(lost.account)
      if (lost.identity) inserts.push(lost.identity)
      if (!lost.sync) continue
      if (!this.resyncSource) return this.scheduleRetry(), false
      try {
        const current = this.resyncSource(did)
        // No repo any more (deleted): nothing to re-announce.
        if (current) inserts.push(formatSync(did, current))
      } catch (err) {
        this.opts.log.error('cannot read repo to re-announce it', { did, err })
        return this.scheduleRetry(), false
      }
    }
    const rows = this.appendAndPublish(inserts)
    if (!rows) return this.scheduleRetry(), false
    for (const did of dids) this.pending.delete(did)
    this.opts.log.warn('re-announced repos after a failed firehose append', { count: dids.length })
    return true
  }

  close(): void {
    this.appendQueued()
    clearTimeout(this.retryTimer)
  }

  /**
   * Appends and, unless `deferred` (commit above), publishes at once: the append was synced by SQLite
   * (FULL), which also made every earlier deferred append durable.
   */
  private appendAndPublish(events: SeqInsert[], deferred = false): SeqRow[] | null {
    if (events.length === 0) return []
    const sync = deferred ? walSyncOf(this.store.db) : undefined
    let rows: Array<SeqRow & { frame?: Uint8Array | null }>
    try {
      // Each frame is built once, stored with its event (replay sends it as is) and sent live.
      const append = () => this.store.append(events, new Date(), (row, i) => frameForRow(row, events[i]!.body))
      rows = sync ? sync.deferSync(append) : append()
    } catch (err) {
      this.opts.log.error('failed to sequence event', { err, dids: events.map((e) => e.did) })
      this.appendFailure ??= { since: new Date().toISOString(), error: err instanceof Error ? err.message : String(err) }
      return null
    }
    this.appendFailure = null
    if (this.opts.metrics) for (const row of rows) this.opts.metrics.firehoseEvents(row.eventType === 'append' ? 'commit' : row.eventType, 1)
    for (const [i, row] of rows.entries()) {
      // As the reference's sequenceAccountDeletion: a deleted account keeps only its #account event.
      if (row.eventType === 'account' && isDeletion(row.event)) this.store.deleteOtherEvents(row.did, row.seq)
      else if (this.opts.onRepoSequenced && (row.eventType === 'append' || row.eventType === 'sync')) {
        const rev = (events[i]!.body?.rev as string | undefined) ?? revOfEvent(row.eventType, row.event)
        if (rev) this.opts.onRepoSequenced(row.did, rev)
      }
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      const frame = row.frame ?? frameForRow(row, events[i]!.body)
      if (frame) this.unpublished.push({ seq: row.seq, frame })
    }
    if (!sync) this.publishUpTo(rows.at(-1)!.seq)
    return rows
  }

  /** Sends every waiting event up to `seq` (now durable) to the live subscribers, in order. */
  private publishUpTo(seq: number): void {
    let count = 0
    while (count < this.unpublished.length && this.unpublished[count]!.seq <= seq) count++
    const live = this.unpublished.splice(0, count)
    if (seq > this.published) this.published = seq
    if (live.length === 0) return
    for (const listener of this.listeners) {
      try {
        listener(live)
      } catch (err) {
        this.opts.log.error('firehose listener failed', { err })
      }
    }
    this.opts.onAppend?.()
  }

  private markLost(events: SeqInsert[]) {
    for (const e of events) {
      const lost = this.pending.get(e.did) ?? { sync: false }
      if (e.eventType === 'append' || e.eventType === 'sync') lost.sync = true
      else if (e.eventType === 'identity') lost.identity = e
      else if (e.eventType === 'account') lost.account = e
      this.pending.set(e.did, lost)
    }
    this.scheduleRetry()
  }

  /** A newer stored event of the same kind supersedes a lost one. */
  private settle(rows: SeqRow[]) {
    for (const row of rows) {
      const lost = this.pending.get(row.did)
      if (!lost) continue
      if (row.eventType === 'sync') lost.sync = false
      else if (row.eventType === 'identity') lost.identity = undefined
      else if (row.eventType === 'account') lost.account = undefined
      if (!lost.sync && !lost.identity && !lost.account) this.pending.delete(row.did)
    }
  }

  private scheduleRetry() {
    if (this.retryTimer) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.flushPending()
    }, this.opts.retryMs ?? 5000)
    this.retryTimer.unref?.()
  }

  /**
   * The frames of a page of replayed rows: the frame stored with each event, else (events stored
   * before frames were) spliced from the event's bytes. No cache of recent frames: replay reads the
   * stored frame anyway, and a cache held up to 32 MB of them for nothing.
   */
  framesOf(rows: ReplayRow[]): Array<Uint8Array | null> {
    const frames: Array<Uint8Array | null> = rows.map((row) => row.frame)
    const missing: number[] = []
    for (let i = 0; i < rows.length; i++) if (!frames[i] && rows[i]!.event) missing.push(i)
    if (missing.length === 0) return frames
    const built = framesFromStored(missing.map((i) => ({ ...rows[i]!, event: rows[i]!.event! })))
    for (let k = 0; k < missing.length; k++) frames[missing[k]!] = built[k]!
    return frames
  }

  onEvents(listener: LiveListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Deletes events older than the replay window; see SequencerStore.prune. */
  prune(windowMs: number, now = Date.now()): number {
    return this.store.prune(new Date(now - windowMs).toISOString())
  }
}

function isDeletion(event: Uint8Array): boolean {
  return decodeCbor<{ active?: boolean; status?: string }>(event).status === 'deleted'
}
