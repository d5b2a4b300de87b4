// The Sequencer: appends repo/account events to sequencer.sqlite and hands each new event's frame,
// encoded once, to the live firehose. It is the RepoEventSink the repo and account services call.
import type { Logger } from '../../logger.ts'
import type { Metrics } from '../metrics.ts'
import type { AccountStatus, CommitEvent, RepoEventSink, SequencedCommit, SyncEventData } from '../events.ts'
import { decodeCbor } from '../../core/cbor.ts'
import { formatAccount, formatCommit, formatIdentity, formatSync, revOfEvent, type SeqInsert } from './events.ts'
import { frameForRow, framesFromStored, type SeqRow } from './frames.ts'
import type { ReplayRow, SequencerStore } from '../../storage/sequencer/repo-seq.ts'
import { walSyncOf, type WalSync } from '../../storage/wal-sync.ts'

export type LiveEvent = { seq: number; frame: Uint8Array }
/** An appended event not yet sent: `held` while the commit it announces is not yet durable. */
type Unpublished = { seq: number; frame: Uint8Array | null; held: boolean }
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
  /** How long a commit's append waits to share its sync with later ones (default APPEND_SYNC_BATCH_MS). */
  appendSyncBatchMs?: number
  /** How long without another commit before the appends so far are synced (default APPEND_SYNC_QUIET_MS; 0: at once). */
  appendSyncQuietMs?: number
}

/**
 * A commit's firehose append is synced once no other commit has become durable for
 * APPEND_SYNC_QUIET_MS, or APPEND_SYNC_BATCH_MS after it at the latest, in one sync with every append
 * made meanwhile. A sync of sequencer.sqlite per append shared the disk with the next commit's sync of
 * its actor store, which that commit's writer waits for. Sequential durable createRecord, paired runs
 * of 400 x 25 writes against a sync per append: this policy 0.946 of the time (95% CI 0.921-0.971), a
 * fixed 10 ms batch 0.970; an append alone waits only the quiet time, so write-to-event latency with one
 * subscriber went from p50 2.2 / p99 12.8 ms to 3.8 / 9.7 ms (a fixed batch: 13 / 24 ms). Events are
 * published after their sync: subscribers see them that much later.
 */
export const APPEND_SYNC_QUIET_MS = 1.5
export const APPEND_SYNC_BATCH_MS = 10

/** Whether appends work: a failing firehose is one of the health alerts (src/services/health). */
export type AppendHealth = { failing: boolean; since: string | null; lastError: string | null; pendingRepos: number }

export class Sequencer implements RepoEventSink {
  private readonly listeners = new Set<LiveListener>()
  private readonly pending = new Map<string, PendingResync>()
  private resyncSource?: ResyncSource
  private retryTimer?: ReturnType<typeof setTimeout>
  /** Appended, waiting for their group commit to reach the disk before anyone sees them; in seq order. */
  private readonly unpublished: Unpublished[] = []
  private published: number
  /** Every event up to this seq is on stable storage in sequencer.sqlite. */
  private synced: number
  private appendFailure: { since: string; error: string } | null = null
  /** Commits waiting for the end of this turn of the event loop to be appended together (see commit). */
  private queued: Array<{ insert: SeqInsert; durable?: Promise<unknown> }> = []
  private queuedDone?: { stored: Deferred; published: Deferred }
  /** Queued commits whose commit is not yet known durable: their events are held when appended. */
  private readonly awaitingCommit = new WeakSet<SeqInsert>()
  /** The sync that appends made since it was scheduled will share (see APPEND_SYNC_BATCH_MS). */
  private batchedSync?: { synced: Promise<void>; quiet: ReturnType<typeof setTimeout>; deadline: ReturnType<typeof setTimeout> }

  constructor(
    readonly store: SequencerStore,
    private readonly opts: SequencerOptions,
  ) {
    this.published = store.curr() ?? 0
    this.synced = this.published
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
   * Repo commits share a group commit (storage/wal-sync.ts). `durable` resolves once the commit itself
   * is on stable storage (the actor store's sync; this append's sync follows it): the event is
   * published only when both are, so a subscriber never sees an event a power loss could take back. `stored`: the event is appended (readers see it, a kill -9 keeps it); the write is
   * acknowledged then, without waiting for this append's sync: after a power loss, start-up recovery
   * gives a repo whose acknowledged commit lost its event a #sync of that commit (recovery.ts).
   * `published`: the event and its commit are durable and the event was sent (as soon as every
   * earlier one was). Neither rejects: a failed append is made good with a #sync (see sequence).
   * A power loss can also keep this event and lose its commit: it was never sent nor acknowledged,
   * and recovery drops it (dropPhantomEvents).
   */
  commit(evt: CommitEvent, durable?: Promise<unknown>): SequencedCommit | void {
    if (!walSyncOf(this.store.db)) return void this.sequence([formatCommit(evt)])
    // Commits whose actor stores committed in the same turn of the event loop (several accounts
    // writing) are appended together: one transaction, one group commit.
    const insert = formatCommit(evt)
    if (durable) this.awaitingCommit.add(insert)
    this.queued.push({ insert, durable })
    if (!this.queuedDone) {
      this.queuedDone = { stored: deferred(), published: deferred() }
      setImmediate(() => this.appendQueued())
    }
    return { stored: this.queuedDone.stored.promise, published: this.queuedDone.published.promise }
  }

  /** Appends the queued commits (see commit for what their promises wait for). */
  private appendQueued(): void {
    const done = this.queuedDone
    if (!done) return
    const queued = this.queued
    this.queued = []
    this.queuedDone = undefined
    const sync = walSyncOf(this.store.db)
    const rows = this.sequence(
      queued.map((q) => q.insert),
      !!sync,
    )
    done.stored.resolve()
    if (!sync || rows.length === 0) return done.published.resolve()
    const last = rows.at(-1)!.seq
    // This append's sync starts once the commits it announces are durable (it is published only after
    // both anyway): two syncs at once on this disk slow the commit's, which the writer waits for
    // (measured under load: the actor store's fdatasync p50 420 -> 290 µs, writes/s +30%); and then it
    // waits to be shared with the appends of later commits (syncAppends).
    const commitsDurable = Promise.all(queued.map((q) => q.durable))
    const syncAppends = () => this.syncAppends(sync)
    const appended = commitsDurable.then(syncAppends, syncAppends).then(
      () => this.syncedUpTo(last),
      (err) => this.opts.log.error('firehose append not synced; published with the next event', { err }),
    )
    const commits = queued.map((q, i) =>
      q.durable?.then(
        () => this.release(rows[i]!.seq),
        (err) => {
          // The commit is in the actor store's WAL (readers see it) but its sync failed: the writer was
          // told so. The event is released all the same rather than stall every later one.
          this.opts.log.error('commit not synced; its firehose event is released', { err })
          this.release(rows[i]!.seq)
        },
      ),
    )
    void Promise.all([appended, ...commits]).then(() => done.published.resolve())
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
      // A deferred commit waits for its commit's sync too (see commit).
      this.unpublished.push({ seq: row.seq, frame, held: deferred && this.awaitingCommit.has(events[i]!) })
    }
    if (!sync) this.syncedUpTo(rows.at(-1)!.seq)
    return rows
  }

  /**
   * Resolves once appends made before the call are durable: their sync starts when no commit has
   * become durable for APPEND_SYNC_QUIET_MS, or APPEND_SYNC_BATCH_MS after the first of them.
   */
  private syncAppends(sync: WalSync): Promise<void> {
    const quietMs = this.opts.appendSyncQuietMs ?? APPEND_SYNC_QUIET_MS
    if (quietMs <= 0) return sync.flush()
    if (this.batchedSync) {
      this.batchedSync.quiet.refresh()
      return this.batchedSync.synced
    }
    let resolve!: (flushed: Promise<void>) => void
    const synced = new Promise<void>((r) => (resolve = r))
    const start = () => {
      clearTimeout(batch.quiet)
      clearTimeout(batch.deadline)
      this.batchedSync = undefined
      resolve(sync.flush())
    }
    const batch = { synced, quiet: setTimeout(start, quietMs), deadline: setTimeout(start, Math.max(quietMs, this.opts.appendSyncBatchMs ?? APPEND_SYNC_BATCH_MS)) }
    this.batchedSync = batch
    return synced
  }

  /** sequencer.sqlite is synced up to `seq`. */
  private syncedUpTo(seq: number): void {
    if (seq > this.synced) this.synced = seq
    this.publishReady()
  }

  /** The commit announced by the event `seq` is durable. */
  private release(seq: number): void {
    const waiting = this.unpublished.find((u) => u.seq === seq)
    if (waiting) waiting.held = false
    this.publishReady()
  }

  /**
   * Sends the waiting events, in seq order, up to the first one not yet durable (its own append, or
   * the commit it announces): a subscriber never sees an event a power loss could take back.
   */
  private publishReady(): void {
    let count = 0
    while (count < this.unpublished.length && this.unpublished[count]!.seq <= this.synced && !this.unpublished[count]!.held) count++
    if (count === 0) return
    const ready = this.unpublished.splice(0, count)
    this.published = Math.max(this.published, ready.at(-1)!.seq)
    const live = ready.filter((u): u is Unpublished & { frame: Uint8Array } => u.frame !== null).map(({ seq, frame }) => ({ seq, frame }))
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

type Deferred = { promise: Promise<void>; resolve: () => void }

function deferred(): Deferred {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}
