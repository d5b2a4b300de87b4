// The Sequencer and Firehose on their own: events in, frames out, replay, cut-over, slow consumers.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { migrate } from '../../src/storage/sqlite.ts'
import { createLogger } from '../../src/logger.ts'
import { SequencerStore } from '../../src/storage/sequencer/repo-seq.ts'
import { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { Firehose, type FirehoseSocket } from '../../src/services/sequencer/firehose.ts'
import { decodeFrame, frameForRow } from '../../src/services/sequencer/frames.ts'
import { formatIdentity } from '../../src/services/sequencer/events.ts'
import { encodeBlock } from '../../src/core/cbor.ts'
import { readCar } from '../../src/core/car.ts'

const DID = 'did:plc:testuser0000000000000000'

function setup(opts: { maxBuffer?: number; backfillLimitMs?: number; pageSize?: number } = {}) {
  const db = new Database(':memory:', { strict: true })
  migrate(db, 'sequencer')
  const store = new SequencerStore(db)
  const sequencer = new Sequencer(store, { log: createLogger('silent') })
  const firehose = new Firehose(sequencer, {
    maxBuffer: opts.maxBuffer ?? 200,
    backfillLimitMs: opts.backfillLimitMs ?? 24 * 3600_000,
    pageSize: opts.pageSize,
  })
  return { db, store, sequencer, firehose }
}

/** A socket that records frames; `stall` makes it report backpressure until `drain`. */
class FakeSocket implements FirehoseSocket {
  frames: Uint8Array[] = []
  closed?: { code?: number; reason?: string }
  stalled = false
  /** Report backpressure after every this many sends (0: never). */
  stallEvery = 0
  send(data: Uint8Array): number {
    if (this.closed) return 0
    this.frames.push(data)
    if (this.stalled) return -1
    if (this.stallEvery && this.frames.length % this.stallEvery === 0) {
      this.stalled = true
      return -1
    }
    return data.length
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason }
  }
  getBufferedAmount() {
    return 0
  }
  decoded() {
    return this.frames.map(decodeFrame)
  }
  seqs() {
    return this.decoded()
      .filter((f) => f.header.op === 1 && f.header.t !== '#info')
      .map((f) => f.body.seq as number)
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

function identity(sequencer: Sequencer, n: number) {
  for (let i = 0; i < n; i++) sequencer.identity(DID, `user${i}.test`)
}

describe('sequencer events', () => {
  test('a commit becomes a #commit frame shaped like the reference', () => {
    const { sequencer, firehose } = setup()
    const socket = new FakeSocket()
    firehose.subscribe(socket)
    const commit = encodeBlock({ did: DID, version: 3 })
    const record = encodeBlock({ text: 'hi' })
    const prev = encodeBlock({ text: 'old' })
    sequencer.commit({
      did: DID,
      commit: commit.cid,
      rev: '3l2abcdefgh22',
      since: '3l2abcdefgh11',
      prevData: prev.cid,
      blocks: [commit, record, record],
      ops: [
        { action: 'create', path: 'app.bsky.feed.post/1', cid: record.cid },
        { action: 'update', path: 'app.bsky.feed.post/2', cid: record.cid, prev: prev.cid },
        { action: 'delete', path: 'app.bsky.feed.post/3', cid: null, prev: prev.cid },
      ],
      blobs: [],
    })
    const [frame] = socket.decoded()
    expect(frame!.header).toEqual({ op: 1, t: '#commit' })
    const body = frame!.body
    expect(Object.keys(body).sort()).toEqual(
      [
        'blobs',
        'blocks',
        'commit',
        'ops',
        'prevData',
        'rebase',
        'repo',
        'rev',
        'seq',
        'since',
        'time',
        'tooBig',
      ].sort(),
    )
    expect(body.seq).toBe(1)
    expect(body.repo).toBe(DID)
    expect(body.commit.equals(commit.cid)).toBe(true)
    expect(body.prevData.equals(prev.cid)).toBe(true)
    expect(body.rebase).toBe(false)
    expect(body.tooBig).toBe(false)
    expect(body.blobs).toEqual([])
    expect(typeof body.time).toBe('string')
    expect(body.ops[0]).toEqual({ action: 'create', path: 'app.bsky.feed.post/1', cid: record.cid })
    expect('prev' in body.ops[0]).toBe(false)
    expect(body.ops[2].cid).toBeNull()
    const car = readCar(body.blocks)
    expect(car.roots[0]!.equals(commit.cid)).toBe(true)
    expect(car.blocks.size).toBe(2)
  })

  test('sync, identity and account frames', () => {
    const { sequencer, firehose } = setup()
    const socket = new FakeSocket()
    firehose.subscribe(socket)
    const commit = encodeBlock({ did: DID, version: 3 })
    sequencer.sync(DID, { ...commit, rev: '3l2abcdefgh22' })
    sequencer.identity(DID, 'alice.test')
    sequencer.identity(DID)
    sequencer.account(DID, true)
    sequencer.account(DID, false, 'takendown')
    const frames = socket.decoded()
    expect(frames.map((f) => f.header.t)).toEqual(['#sync', '#identity', '#identity', '#account', '#account'])
    const sync = frames[0]!.body
    expect(sync.did).toBe(DID)
    expect(sync.rev).toBe('3l2abcdefgh22')
    const car = readCar(sync.blocks)
    expect(car.roots[0]!.equals(commit.cid)).toBe(true)
    expect([...car.blocks.keys()]).toEqual([commit.cid.toString()])
    const strip = (b: any) => ({ ...b, seq: undefined, time: undefined })
    expect(strip(frames[1]!.body)).toEqual({ did: DID, handle: 'alice.test', seq: undefined, time: undefined })
    expect('handle' in frames[2]!.body).toBe(false)
    expect(strip(frames[3]!.body)).toEqual({ did: DID, active: true, seq: undefined, time: undefined })
    expect(strip(frames[4]!.body)).toEqual({
      did: DID,
      active: false,
      status: 'takendown',
      seq: undefined,
      time: undefined,
    })
  })

  test('live frames (built from the event object) are byte-identical to frames rebuilt from the stored bytes', () => {
    const { sequencer, firehose, store } = setup()
    const socket = new FakeSocket()
    firehose.subscribe(socket)
    const commit = encodeBlock({ did: DID, version: 3 })
    const record = encodeBlock({ text: 'hi' })
    const prev = encodeBlock({ text: 'old' })
    sequencer.commit({
      did: DID,
      commit: commit.cid,
      rev: '3l2abcdefgh22',
      since: null,
      prevData: null,
      blocks: [commit, record],
      ops: [
        { action: 'create', path: 'app.bsky.feed.post/1', cid: record.cid },
        { action: 'delete', path: 'app.bsky.feed.post/3', cid: null, prev: prev.cid },
      ],
      blobs: [],
    })
    sequencer.sync(DID, { ...commit, rev: '3l2abcdefgh33' })
    sequencer.identity(DID, 'alice.test')
    sequencer.account(DID, false, 'takendown')
    const rows = store.range(0, 100)
    expect(rows.length).toBe(4)
    expect(socket.frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
      rows.map((row) => Buffer.from(frameForRow(row)!).toString('hex')),
    )
  })

  test('a deleted account keeps only its #account event', () => {
    const { sequencer, store } = setup()
    identity(sequencer, 3)
    sequencer.identity('did:plc:other', 'other.test')
    sequencer.account(DID, false, 'deleted')
    const rows = store.range(0, 100)
    expect(rows.map((r) => [r.did, r.eventType])).toEqual([
      ['did:plc:other', 'identity'],
      [DID, 'account'],
    ])
  })
})

describe('subscribeRepos cursor', () => {
  test('replays from a cursor, then continues live', async () => {
    const { sequencer, firehose } = setup()
    identity(sequencer, 10)
    const socket = new FakeSocket()
    firehose.subscribe(socket, 4)
    await tick()
    identity(sequencer, 2)
    expect(socket.seqs()).toEqual([5, 6, 7, 8, 9, 10, 11, 12])
  })

  test('no cursor: live events only', async () => {
    const { sequencer, firehose } = setup()
    identity(sequencer, 3)
    const socket = new FakeSocket()
    firehose.subscribe(socket)
    identity(sequencer, 2)
    expect(socket.seqs()).toEqual([4, 5])
  })

  test('cut-over from backfill to live under concurrent writes: no gap, no duplicate', async () => {
    const { sequencer, firehose } = setup({ pageSize: 50, maxBuffer: 100000 })
    identity(sequencer, 1000)
    const sockets = [0, 7, 13, 50].map((stallEvery) => Object.assign(new FakeSocket(), { stallEvery }))
    const subs = sockets.map((s) => firehose.subscribe(s, 0))
    const drainAll = () =>
      sockets.forEach((s, i) => {
        while (s.stalled) {
          s.stalled = false
          subs[i]!.onDrain()
        }
      })
    // Writers keep appending while the subscribers page through the backlog and drain slowly.
    for (let round = 0; round < 200; round++) {
      identity(sequencer, 3)
      sockets.forEach((s, i) => {
        if (s.stalled) {
          s.stalled = false
          subs[i]!.onDrain()
        }
      })
      await tick()
    }
    for (let i = 0; i < 100 && subs.some((sub) => !sub.live); i++) {
      drainAll()
      await tick()
    }
    identity(sequencer, 5)
    drainAll()
    for (const [i, socket] of sockets.entries()) {
      expect(subs[i]!.live).toBe(true)
      const seqs = socket.seqs()
      expect(seqs.length).toBe(1605)
      expect(seqs).toEqual(Array.from({ length: 1605 }, (_, k) => k + 1))
    }
  })

  test('a cursor in the future gets FutureCursor and is closed', async () => {
    const { sequencer, firehose } = setup()
    identity(sequencer, 3)
    const socket = new FakeSocket()
    firehose.subscribe(socket, 10)
    const [frame] = socket.decoded()
    expect(frame!.header).toEqual({ op: -1 })
    expect(frame!.body).toEqual({ error: 'FutureCursor', message: 'Cursor in the future.' })
    expect(socket.closed).toEqual({ code: 1008, reason: 'FutureCursor' })
  })

  test('a cursor older than the window gets #info OutdatedCursor, then the window', async () => {
    const { sequencer, store, firehose } = setup({ backfillLimitMs: 3600_000 })
    store.append([formatIdentity(DID, 'a.test'), formatIdentity(DID, 'b.test')], new Date(Date.now() - 7200_000))
    identity(sequencer, 2)
    const socket = new FakeSocket()
    firehose.subscribe(socket, 0)
    await tick()
    const frames = socket.decoded()
    expect(frames[0]!.header).toEqual({ op: 1, t: '#info' })
    expect(frames[0]!.body.name).toBe('OutdatedCursor')
    expect(socket.seqs()).toEqual([3, 4])
  })

  test('retention prunes old events but keeps the last #account of deleted accounts', () => {
    const { sequencer, store } = setup()
    const old = new Date(Date.now() - 3 * 24 * 3600_000)
    store.append([formatIdentity(DID, 'a.test')], old)
    sequencer.account(DID, false, 'deleted')
    store.db.query('UPDATE repo_seq SET sequencedAt = ?').run(old.toISOString())
    store.append([formatIdentity('did:plc:b', 'b.test')], old)
    identity(sequencer, 2)
    expect(sequencer.prune(24 * 3600_000)).toBe(1)
    expect(store.range(0, 10).map((r) => [r.did, r.eventType])).toEqual([
      [DID, 'account'],
      [DID, 'identity'],
      [DID, 'identity'],
    ])
  })
})

describe('slow consumers', () => {
  test('a consumer more than maxBuffer behind gets ConsumerTooSlow; a fast one keeps up', async () => {
    const { sequencer, firehose } = setup({ maxBuffer: 20 })
    const slow = Object.assign(new FakeSocket(), { stallEvery: 1 })
    const fast = new FakeSocket()
    firehose.subscribe(slow)
    firehose.subscribe(fast)
    identity(sequencer, 30)
    expect(fast.seqs().length).toBe(30)
    expect(slow.closed).toEqual({ code: 1008, reason: 'ConsumerTooSlow' })
    const last = slow.decoded().at(-1)!
    expect(last.header).toEqual({ op: -1 })
    expect(last.body.error).toBe('ConsumerTooSlow')
    expect(firehose.subscriberCount).toBe(1)
    identity(sequencer, 5)
    expect(fast.seqs().length).toBe(35)
  })

  test('a briefly slow consumer that drains in time loses nothing', () => {
    const { sequencer, firehose } = setup({ maxBuffer: 20 })
    const socket = Object.assign(new FakeSocket(), { stallEvery: 5 })
    const sub = firehose.subscribe(socket)
    for (let i = 0; i < 10; i++) {
      identity(sequencer, 10)
      while (socket.stalled) {
        socket.stalled = false
        sub.onDrain()
      }
    }
    expect(socket.closed).toBeUndefined()
    expect(socket.seqs()).toEqual(Array.from({ length: 100 }, (_, k) => k + 1))
  })
})
