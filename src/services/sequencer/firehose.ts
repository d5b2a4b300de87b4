// com.atproto.sync.subscribeRepos: each subscriber replays from its cursor in pages, then joins
// the live stream without a gap or a duplicate, and is cut off with ConsumerTooSlow when it falls
// more than `maxBuffer` events behind. One slow socket never delays the others: sends never await.
import type { LiveEvent } from './sequencer.ts'
import type { Metrics } from '../metrics.ts'
import { errorFrame, infoFrame } from './frames.ts'

/**
 * What a stream replays and follows: the repo sequencer (subscribeRepos), or the labeler's label
 * log (subscribeLabels), which shares this replay, backpressure and ConsumerTooSlow logic.
 */
export interface StreamSource<Row extends { seq: number } = { seq: number }> {
  readonly publishedSeq: number
  readonly store: { next(cursor: number): { sequencedAt: string } | null; earliestAfterTime(time: string): { seq: number } | null }
  replayPage(afterSeq: number, limit: number): Row[]
  framesOf(rows: Row[]): Array<Uint8Array | null>
  onEvents(listener: (events: LiveEvent[]) => void): () => void
}
type ReplayRow = { seq: number }

/** The part of Bun's ServerWebSocket a subscriber uses. */
export interface FirehoseSocket {
  /** Bun: >0 bytes sent, -1 queued under backpressure, 0 dropped. */
  send(data: Uint8Array): number
  close(code?: number, reason?: string): void
  getBufferedAmount(): number
}

export type FirehoseOptions = {
  maxBuffer: number
  backfillLimitMs: number
  pageSize?: number
  now?: () => number
  /** Counts bytes sent and slow consumers cut off (src/services/metrics.ts). */
  metrics?: Pick<Metrics, 'firehoseBytes' | 'firehoseDrop'>
}

/** WebSocket close code for a policy violation, as the reference's DisconnectError. */
const CLOSE_POLICY = 1008

/** Who is connected: the client's IP (as the edge determined it) and when it connected (ms). */
export type FirehosePeer = { ip: string; connectedAt: number }
/** Distinct addresses whose last connect time is remembered (oldest forgotten first). */
const REMEMBERED_PEERS = 256

export class Firehose {
  private readonly live = new Set<Subscriber>()
  /** Open connections (replaying or live) with their remote address, for the operator's console. */
  private readonly peers = new Map<Subscriber, FirehosePeer>()
  /** IP → when it last connected, in connect order, bounded: relays that come and go stay visible. */
  private readonly lastConnects = new Map<string, number>()
  private readonly unsubscribe: () => void

  constructor(
    readonly sequencer: StreamSource<any>,
    readonly opts: FirehoseOptions,
  ) {
    this.unsubscribe = sequencer.onEvents((events) => {
      for (const sub of this.live) sub.pushLive(events)
    })
  }

  get subscriberCount(): number {
    return this.live.size
  }

  /** Starts a subscription; the returned subscriber must be told about drain and close. `ip`: the client's. */
  subscribe(socket: FirehoseSocket, cursor?: number, ip?: string): Subscriber {
    const sub = new Subscriber(this, socket)
    if (ip !== undefined) {
      const connectedAt = this.opts.now?.() ?? Date.now()
      this.peers.set(sub, { ip, connectedAt })
      this.lastConnects.delete(ip)
      this.lastConnects.set(ip, connectedAt)
      if (this.lastConnects.size > REMEMBERED_PEERS) this.lastConnects.delete(this.lastConnects.keys().next().value!)
    }
    void sub.start(cursor)
    return sub
  }

  /** The open connections, oldest first. */
  connections(): FirehosePeer[] {
    return [...this.peers.values()]
  }

  /** When `ip` last connected (since the server started), or null. */
  lastConnectedAt(ip: string): number | null {
    return this.lastConnects.get(ip) ?? null
  }

  /** Closes every subscriber (server shutdown). */
  close(): void {
    this.unsubscribe()
    for (const sub of [...this.live]) sub.end(1001, 'server shutting down')
  }

  /** @internal */
  join(sub: Subscriber) {
    this.live.add(sub)
  }
  /** @internal */
  leave(sub: Subscriber) {
    this.live.delete(sub)
    this.peers.delete(sub)
  }
}

export class Subscriber {
  private lastSent = -1
  private closed = false
  private isLive = false
  private backpressured = false
  private queue: Uint8Array[] = []
  private queueHead = 0
  private drained?: () => void

  constructor(
    private readonly firehose: Firehose,
    private readonly socket: FirehoseSocket,
  ) {}

  get live(): boolean {
    return this.isLive
  }

  get isClosed(): boolean {
    return this.closed
  }

  async start(cursor?: number): Promise<void> {
    const { sequencer } = this.firehose
    const { store } = sequencer
    const { backfillLimitMs, pageSize = 500, maxBuffer } = this.firehose.opts
    const now = this.firehose.opts.now?.() ?? Date.now()
    // Only published events: the newest appends may still wait for their group commit.
    const curr = sequencer.publishedSeq
    if (cursor === undefined) return this.goLive([], curr)
    if (cursor > curr) return this.fail('FutureCursor', 'Cursor in the future.')
    let after = cursor
    const backfillTime = new Date(now - backfillLimitMs).toISOString()
    const next = store.next(cursor)
    if (next && next.sequencedAt < backfillTime) {
      this.send(infoFrame('OutdatedCursor', 'Requested cursor exceeded limit. Possibly missing events'))
      const start = store.earliestAfterTime(backfillTime)
      if (!start) return this.goLive([], curr)
      after = start.seq - 1
    }
    this.lastSent = after
    // Pages are sent with awaits on drain; the last short page and the switch to live happen in one
    // synchronous step, so no event can be appended in between (bun:sqlite and publishing are sync).
    const finalPageMax = Math.max(1, Math.floor(maxBuffer / 2))
    for (;;) {
      if (this.closed) return
      const rows = sequencer.replayPage(this.lastSent, pageSize)
      if (rows.length < pageSize && rows.length <= finalPageMax && !this.backpressured) return this.goLive(rows, curr)
      const frames = this.firehose.sequencer.framesOf(rows)
      for (const [i, row] of rows.entries()) {
        if (this.closed) return
        const frame = frames[i]
        this.lastSent = row.seq
        if (frame) this.send(frame)
        if (this.backpressured) await new Promise<void>((resolve) => (this.drained = resolve))
      }
    }
  }

  /** Live events from the sequencer, already encoded. */
  pushLive(events: LiveEvent[]): void {
    for (const evt of events) {
      if (this.closed) return
      if (evt.seq <= this.lastSent) continue
      this.lastSent = evt.seq
      this.send(evt.frame)
      if (this.queue.length - this.queueHead > this.firehose.opts.maxBuffer) {
        return this.fail('ConsumerTooSlow', 'Stream consumer too slow')
      }
    }
  }

  /** Bun's drain callback: the socket took its buffered bytes, send what we held back. */
  onDrain(): void {
    this.backpressured = false
    while (!this.backpressured && this.queueHead < this.queue.length && !this.closed) {
      const frame = this.queue[this.queueHead]!
      this.queue[this.queueHead++] = EMPTY
      this.write(frame)
    }
    if (this.queueHead === this.queue.length) {
      this.queue = []
      this.queueHead = 0
    }
    const resume = this.drained
    this.drained = undefined
    if (!this.backpressured) resume?.()
    else this.drained = resume
  }

  /** The socket closed (by the peer or by us). */
  onClose(): void {
    if (this.closed) return
    this.closed = true
    this.firehose.leave(this)
    this.queue = []
    this.drained?.()
  }

  end(code: number, reason: string): void {
    this.onClose()
    try {
      this.socket.close(code, reason)
    } catch {}
  }

  private goLive(rows: ReplayRow[], curr: number) {
    if (this.closed) return
    if (this.lastSent < 0) this.lastSent = curr
    const frames = this.firehose.sequencer.framesOf(rows)
    for (const [i, row] of rows.entries()) {
      const frame = frames[i]
      this.lastSent = row.seq
      if (frame) this.send(frame)
    }
    this.isLive = true
    this.firehose.join(this)
  }

  private send(frame: Uint8Array) {
    if (this.backpressured || this.queueHead < this.queue.length) this.queue.push(frame)
    else this.write(frame)
  }

  private write(frame: Uint8Array) {
    const status = this.socket.send(frame)
    if (status !== 0) this.firehose.opts.metrics?.firehoseBytes(frame.byteLength)
    if (status === -1) this.backpressured = true
    // 0: Bun dropped the message (its own buffer is full, or the socket is closing): the stream
    // would have a hole, so the consumer is too slow.
    else if (status === 0 && !this.closed) this.fail('ConsumerTooSlow', 'Stream consumer too slow')
  }

  private fail(error: string, message: string) {
    if (this.closed) return
    if (error === 'ConsumerTooSlow') this.firehose.opts.metrics?.firehoseDrop()
    try {
      this.socket.send(errorFrame(error, message))
    } catch {}
    this.end(CLOSE_POLICY, error)
  }
}

const EMPTY = new Uint8Array(0)
