// Group commit: deferred commits share one fdatasync, and the firehose publishes a commit's event only
// once it is durable (an event is never sent before it would survive a power loss).
import { afterAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { observeWalSyncs, walSyncOf } from '../../src/storage/wal-sync.ts'
import { SequencerStore } from '../../src/storage/sequencer/repo-seq.ts'
import { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { createLogger } from '../../src/logger.ts'
import { encodeBlock } from '../../src/core/cbor.ts'

const dir = mkdtempSync(join(tmpdir(), 'pds-walsync-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('only durable databases get group commit; flushes started meanwhile are shared', async () => {
  expect(walSyncOf(openDatabase(join(dir, 'normal.sqlite'), 'sequencer', { synchronous: 'NORMAL' }))).toBeUndefined()
  const db = openDatabase(join(dir, 'full.sqlite'), 'sequencer')
  const sync = walSyncOf(db)!
  const level = () => db.query<{ synchronous: number }, []>('PRAGMA synchronous').get()!.synchronous
  expect(level()).toBe(2) // FULL
  sync.deferSync(() => {
    expect(level()).toBe(1) // NORMAL for this commit only
    db.query("INSERT INTO repo_seq (did, eventType, event, sequencedAt) VALUES ('did:plc:a', 'identity', x'a0', '2026-01-01')").run()
  })
  expect(level()).toBe(2)
  const first = sync.flush()
  const second = sync.flush()
  const third = sync.flush()
  expect(second).toBe(third) // everyone arriving while a sync runs rides on the next one together
  expect(second).not.toBe(first)
  await Promise.all([first, second])
  db.close()
})

test('observers hear of each sync that ran, with its database and duration, until they stop', async () => {
  const path = join(dir, 'observed.sqlite')
  const db = openDatabase(path, 'sequencer')
  const sync = walSyncOf(db)!
  const heard: Array<[string, number]> = []
  const stop = observeWalSyncs((database, seconds) => heard.push([database, seconds]))
  const insert = () => sync.deferSync(() => db.query("INSERT INTO repo_seq (did, eventType, event, sequencedAt) VALUES ('did:plc:a', 'identity', x'a0', '2026-01-01')").run())
  insert()
  await sync.flush()
  insert()
  sync.flushSync()
  expect(heard.map(([database]) => database)).toEqual([path, path])
  for (const [, seconds] of heard) expect(seconds).toBeGreaterThan(0)
  stop()
  insert()
  await sync.flush()
  expect(heard).toHaveLength(2)
  db.close()
})

// This process's descriptors of `path` (deleted or not).
function descriptorsOf(path: string): number {
  let n = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`)
      if (target === path || target === `${path} (deleted)`) n++
    } catch {}
  }
  return n
}

test('the group commit syncs through one WAL descriptor of its own, closed with the database once no sync uses it', async () => {
  const path = join(dir, 'descriptor.sqlite')
  const insert = (db: Database) => db.query("INSERT INTO repo_seq (did, eventType, event, sequencedAt) VALUES ('did:plc:a', 'identity', x'a0', '2026-01-01')").run()
  const db = openDatabase(path, 'sequencer')
  const sync = walSyncOf(db)!
  // SQLite's and ours (opened by the sync at open that covers a crashed run's WAL).
  expect(descriptorsOf(`${path}-wal`)).toBe(2)
  for (let i = 0; i < 3; i++) {
    sync.deferSync(() => insert(db))
    await sync.flush()
  }
  expect(descriptorsOf(`${path}-wal`)).toBe(2)
  // Closed while a sync is on its way to the thread pool: the sync still succeeds, then ours goes too.
  sync.deferSync(() => insert(db))
  const inFlight = sync.flush()
  db.close()
  expect(descriptorsOf(`${path}-wal`)).toBe(1) // ours, until its sync is done
  await inFlight
  expect(descriptorsOf(`${path}-wal`)).toBe(0)
  // A flush after close has nothing left to sync (the close checkpoint deleted the WAL).
  await sync.flush()
  sync.flushSync()
  expect(descriptorsOf(`${path}-wal`)).toBe(0)

  // A close that leaves the WAL (another connection reads the database): a sync still due opens it for itself.
  const again = openDatabase(path, 'sequencer')
  const reader = new Database(path, { readonly: true })
  reader.query('SELECT count(*) FROM repo_seq').get()
  const later = walSyncOf(again)!
  later.deferSync(() => insert(again))
  again.close()
  expect(descriptorsOf(`${path}-wal`)).toBe(1) // the reader's
  const due = later.flush()
  expect(descriptorsOf(`${path}-wal`)).toBe(2) // opened to be synced
  await due
  later.flushSync()
  expect(descriptorsOf(`${path}-wal`)).toBe(1)
  reader.close()
})

test('a commit event reaches subscribers and replays only after its group commit', async () => {
  const db = openDatabase(join(dir, 'sequencer.sqlite'), 'sequencer')
  const sequencer = new Sequencer(new SequencerStore(db), { log: createLogger('silent') })
  const seen: number[] = []
  sequencer.onEvents((events) => seen.push(...events.map((e) => e.seq)))
  const block = encodeBlock({ did: 'did:plc:a', version: 3 })
  const sequenced = sequencer.commit({ did: 'did:plc:a', commit: block.cid, rev: '3l2abcdefgh22', since: null, prevData: null, blocks: [block], ops: [], blobs: [] })
  expect(sequenced?.stored).toBeInstanceOf(Promise)
  expect(sequenced?.published).toBeInstanceOf(Promise)
  // Commits of one turn of the event loop are appended together at its end (one transaction).
  expect(sequencer.store.curr()).toBeNull()
  await sequenced!.stored
  // Appended, not yet synced: invisible to live subscribers and to replays.
  expect(sequencer.store.curr()).toBe(1)
  expect(seen).toEqual([])
  expect(sequencer.publishedSeq).toBe(0)
  expect(sequencer.replayPage(0, 10)).toEqual([])
  await sequenced!.published
  expect(seen).toEqual([1])
  expect(sequencer.replayPage(0, 10).map((r: { seq: number }) => r.seq)).toEqual([1])
  // An event synced by SQLite itself (FULL) is published at once, with any deferred one before it.
  void sequencer.commit({ did: 'did:plc:a', commit: block.cid, rev: '3l2abcdefgh33', since: null, prevData: null, blocks: [block], ops: [], blobs: [] })
  sequencer.identity('did:plc:a', 'a.test')
  expect(seen).toEqual([1, 2, 3])
  db.close()
})

test("several accounts' commits of one turn of the event loop share one append and one group commit, in order", async () => {
  const db = openDatabase(join(dir, 'batched.sqlite'), 'sequencer')
  const sequencer = new Sequencer(new SequencerStore(db), { log: createLogger('silent') })
  const seen: number[] = []
  sequencer.onEvents((events) => seen.push(...events.map((e) => e.seq)))
  const block = encodeBlock({ did: 'did:plc:a', version: 3 })
  const commit = (did: string) => sequencer.commit({ did, commit: block.cid, rev: '3l2abcdefgh22', since: null, prevData: null, blocks: [block], ops: [], blobs: [] })!
  const [a, b, c] = [commit('did:plc:a'), commit('did:plc:b'), commit('did:plc:c')]
  expect(b.published).toBe(a.published)
  expect(c.published).toBe(a.published)
  expect(c.stored).toBe(a.stored)
  await a.published
  expect(seen).toEqual([1, 2, 3])
  expect(sequencer.replayPage(0, 10).map((r) => r.did)).toEqual(['did:plc:a', 'did:plc:b', 'did:plc:c'])
  // Another event of the same turn goes after the queued commits, as it was made after them.
  void commit('did:plc:d')
  sequencer.account('did:plc:d', false)
  expect(sequencer.replayPage(3, 10).map((r) => [r.did, r.eventType])).toEqual([
    ['did:plc:d', 'append'],
    ['did:plc:d', 'account'],
  ])
  db.close()
})

test("one sync round: a commit's event waits for the commit's own sync, and later events wait behind it", async () => {
  const db = openDatabase(join(dir, 'held.sqlite'), 'sequencer')
  const sequencer = new Sequencer(new SequencerStore(db), { log: createLogger('silent') })
  const seen: number[] = []
  sequencer.onEvents((events) => seen.push(...events.map((e) => e.seq)))
  const block = encodeBlock({ did: 'did:plc:a', version: 3 })
  const commit = (did: string, durable: Promise<unknown>) =>
    sequencer.commit({ did, commit: block.cid, rev: '3l2abcdefgh22', since: null, prevData: null, blocks: [block], ops: [], blobs: [] }, durable)!.published
  let commitSynced!: () => void
  const slowCommit = new Promise<void>((resolve) => (commitSynced = resolve))
  const a = commit('did:plc:a', slowCommit)
  const b = commit('did:plc:b', Promise.resolve())
  await new Promise((resolve) => setTimeout(resolve, 20))
  // Both appended and sequencer.sqlite synced, but a's commit is not yet durable: nothing is sent, and
  // b (whose commit is durable) waits behind a, as does an event synced by SQLite itself.
  expect(sequencer.store.curr()).toBe(2)
  sequencer.identity('did:plc:c', 'c.test')
  expect(sequencer.store.curr()).toBe(3)
  expect(seen).toEqual([])
  expect(sequencer.publishedSeq).toBe(0)
  expect(sequencer.replayPage(0, 10)).toEqual([])
  commitSynced()
  await Promise.all([a, b])
  expect(seen).toEqual([1, 2, 3])
  expect(sequencer.replayPage(0, 10).map((r) => r.seq)).toEqual([1, 2, 3])
  db.close()
})

describe("a commit's append waits to share its sync (APPEND_SYNC_QUIET_MS, APPEND_SYNC_BATCH_MS)", () => {
  const block = encodeBlock({ did: 'did:plc:a', version: 3 })
  const setUp = (name: string, opts: { appendSyncQuietMs: number; appendSyncBatchMs?: number }) => {
    const path = join(dir, name)
    const db = openDatabase(path, 'sequencer')
    const sequencer = new Sequencer(new SequencerStore(db), { log: createLogger('silent'), ...opts })
    const syncs: number[] = []
    const stop = observeWalSyncs((synced) => synced === path && syncs.push(performance.now()))
    const commit = (did: string) => sequencer.commit({ did, commit: block.cid, rev: '3l2abcdefgh22', since: null, prevData: null, blocks: [block], ops: [], blobs: [] }, Promise.resolve())!
    const close = () => {
      stop()
      db.close()
    }
    return { sequencer, syncs, commit, close }
  }

  test('appends in separate turns with no quiet time between them share one sync, and are published after it', async () => {
    const { sequencer, syncs, commit, close } = setUp('quiet.sqlite', { appendSyncQuietMs: 50, appendSyncBatchMs: 1000 })
    const published: Promise<void>[] = []
    for (const did of ['did:plc:a', 'did:plc:b', 'did:plc:c']) {
      const sequenced = commit(did)
      await sequenced.stored // its own turn: one append each
      published.push(sequenced.published)
    }
    expect(sequencer.publishedSeq).toBe(0)
    await Promise.all(published)
    expect(syncs.length).toBe(1)
    expect(sequencer.replayPage(0, 10).map((r) => r.did)).toEqual(['did:plc:a', 'did:plc:b', 'did:plc:c'])
    close()
  })

  test('a steady stream of appends is synced by the deadline, not only once it stops', async () => {
    const { syncs, commit, close } = setUp('deadline.sqlite', { appendSyncQuietMs: 60, appendSyncBatchMs: 100 })
    const started = performance.now()
    const published: Promise<void>[] = []
    for (let i = 0; i < 15; i++) {
      published.push(commit(`did:plc:${i}`).published)
      await Bun.sleep(20)
    }
    const lastAppend = performance.now()
    await Promise.all(published)
    expect(syncs.length).toBeGreaterThanOrEqual(2)
    expect(syncs[0]! - started).toBeLessThan(lastAppend - started)
    close()
  })

  test('without a quiet time each append is synced at once', async () => {
    const { syncs, commit, close } = setUp('at-once.sqlite', { appendSyncQuietMs: 0 })
    for (const did of ['did:plc:a', 'did:plc:b', 'did:plc:c']) await commit(did).published
    expect(syncs.length).toBe(3)
    close()
  })
})
