// A failed append does not leave a silent gap: the DID is re-announced with a #sync of its current
// commit (and its lost #identity/#account) after the next successful append, or by a timed retry.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { migrate } from '../../src/storage/sqlite.ts'
import { createLogger } from '../../src/logger.ts'
import { SequencerStore } from '../../src/storage/sequencer/repo-seq.ts'
import { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { decodeFrame } from '../../src/services/sequencer/frames.ts'
import { decodeCbor, encodeBlock } from '../../src/core/cbor.ts'
import { readCar } from '../../src/core/car.ts'
import type { SyncEventData } from '../../src/services/events.ts'

const log = createLogger('silent')

function setup(retryMs = 60_000) {
  const db = new Database(':memory:', { strict: true })
  migrate(db, 'sequencer')
  const store = new SequencerStore(db)
  const sequencer = new Sequencer(store, { log, retryMs })
  const repos = new Map<string, SyncEventData>()
  const setRepo = (did: string, rev: string) => {
    const block = encodeBlock({ did, rev, version: 3 })
    repos.set(did, { ...block, rev })
    return repos.get(did)!
  }
  sequencer.setResyncSource((did) => repos.get(did) ?? null)
  let failures = 0
  const append = store.append.bind(store)
  store.append = (events, now) => {
    if (failures > 0) {
      failures--
      throw new Error('disk I/O error')
    }
    return append(events, now)
  }
  const live: Array<{ seq: number; t?: string; body: any }> = []
  sequencer.onEvents((events) => {
    for (const e of events) {
      const { header, body } = decodeFrame(e.frame)
      live.push({ seq: e.seq, t: header.t, body })
    }
  })
  return { sequencer, store, setRepo, failNext: (n = 1) => void (failures = n), live }
}

const stored = (store: SequencerStore) => store.range(0, 100).map((r) => ({ type: r.eventType, did: r.did, body: decodeCbor<any>(r.event) }))

describe('failed appends', () => {
  test('a lost #sync (as a lost #commit) becomes a #sync of the current commit after the next successful append', () => {
    const { sequencer, store, setRepo, failNext, live } = setup()
    const a1 = setRepo('did:plc:alice', '3kaaaaaaaaaa2')
    sequencer.sync('did:plc:alice', a1)
    failNext()
    const a2 = setRepo('did:plc:alice', '3kaaaaaaaaab2')
    sequencer.sync('did:plc:alice', a2) // lost
    expect(sequencer.pendingResyncs).toEqual(['did:plc:alice'])
    expect(stored(store).length).toBe(1)
    // Another repo's event succeeds: alice is re-announced right after it.
    sequencer.identity('did:plc:bob', 'bob.test')
    const events = stored(store)
    expect(events.map((e) => [e.type, e.did])).toEqual([
      ['sync', 'did:plc:alice'],
      ['identity', 'did:plc:bob'],
      ['sync', 'did:plc:alice'],
    ])
    expect(events[2]!.body.rev).toBe(a2.rev)
    expect(readCar(events[2]!.body.blocks).roots[0]!.equals(a2.cid)).toBe(true)
    expect(sequencer.pendingResyncs).toEqual([])
    // Live subscribers got the same stream.
    expect(live.map((e) => e.t)).toEqual(['#sync', '#identity', '#sync'])
  })

  test('lost #identity/#account are re-sent, unless a newer one of the same kind was stored', () => {
    const { sequencer, store, failNext } = setup()
    failNext(2)
    sequencer.identity('did:plc:carol', 'carol.test')
    sequencer.account('did:plc:carol', false, 'deactivated')
    sequencer.account('did:plc:carol', true) // stored: supersedes the lost #account
    expect(stored(store).map((e) => [e.type, e.body.handle ?? e.body.active])).toEqual([
      ['account', true],
      ['identity', 'carol.test'],
    ])
    expect(sequencer.pendingResyncs).toEqual([])
  })

  test('with no other event, a timed retry re-announces the repo once the store works again', async () => {
    const { sequencer, store, setRepo, failNext } = setup(20)
    failNext(2) // the event, then the first retry
    sequencer.sync('did:plc:dave', setRepo('did:plc:dave', '3kaaaaaaaaac2'))
    await Bun.sleep(120)
    expect(stored(store).map((e) => [e.type, e.did, e.body.rev])).toEqual([['sync', 'did:plc:dave', '3kaaaaaaaaac2']])
    expect(sequencer.pendingResyncs).toEqual([])
    sequencer.close()
  })

  test('a repo deleted meanwhile is not re-announced', () => {
    const { sequencer, store, failNext } = setup()
    failNext()
    sequencer.commit({
      did: 'did:plc:gone',
      commit: encodeBlock({ x: 1 }).cid,
      rev: '3kaaaaaaaaad2',
      since: null,
      prevData: null,
      blocks: [encodeBlock({ x: 1 })],
      ops: [],
      blobs: [],
    })
    sequencer.account('did:plc:other', true)
    expect(stored(store).map((e) => e.did)).toEqual(['did:plc:other'])
    expect(sequencer.pendingResyncs).toEqual([])
  })
})
