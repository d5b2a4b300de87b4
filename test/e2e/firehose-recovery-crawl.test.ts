// Crash recovery (#sync for repos ahead of the firehose) and relay notification (requestCrawl).
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { migrate } from '../../src/storage/sqlite.ts'
import { createLogger } from '../../src/logger.ts'
import { SequencerStore } from '../../src/storage/sequencer/repo-seq.ts'
import { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { Crawlers } from '../../src/services/sequencer/crawlers.ts'
import { recoverUnsequencedCommits } from '../../src/services/sequencer/recovery.ts'
import { decodeCbor, encodeBlock, type CID } from '../../src/core/cbor.ts'
import { readCar } from '../../src/core/car.ts'
import { tidFromTime } from '../../src/core/syntax/tid.ts'

const log = createLogger('silent')

function sequencer() {
  const db = new Database(':memory:', { strict: true })
  migrate(db, 'sequencer')
  return new Sequencer(new SequencerStore(db), { log })
}

const revAt = (ms: number) => tidFromTime(ms * 1000, 1)

describe('crash recovery', () => {
  test('a repo whose rev is newer than its last sequenced commit gets #sync; others do not', () => {
    const seq = sequencer()
    const now = Date.now()
    const repos = new Map<string, { cid: CID; bytes: Uint8Array; rev: string }>()
    const add = (did: string, rev: string) => {
      const block = encodeBlock({ did, rev, version: 3 })
      repos.set(did, { ...block, rev })
      return block
    }
    // ahead: sequenced at rev1, repo at rev2 (the crash happened after the commit, before sequencing)
    const a1 = add('did:plc:ahead', revAt(now - 2000))
    seq.sync('did:plc:ahead', { ...a1, rev: revAt(now - 2000) })
    add('did:plc:ahead', revAt(now - 1000))
    // in step
    const b = add('did:plc:instep', revAt(now - 1000))
    seq.sync('did:plc:instep', { ...b, rev: revAt(now - 1000) })
    // never sequenced, recent: recover; never sequenced but older than the window: pruned, skip
    add('did:plc:fresh', revAt(now - 500))
    add('did:plc:ancient', revAt(now - 3 * 24 * 3600_000))
    const synced = recoverUnsequencedCommits(
      seq,
      {
        dids: () => repos.keys(),
        getRepoRoot: (did) => repos.get(did) ?? null,
        getBlock: (did, cid) => (repos.get(did)?.cid.equals(cid) ? repos.get(did)!.bytes : undefined),
      },
      { windowMs: 24 * 3600_000, log, now },
    )
    expect(synced.sort()).toEqual(['did:plc:ahead', 'did:plc:fresh'])
    const last = seq.store.lastRepoEvent('did:plc:ahead')!
    expect(last.eventType).toBe('sync')
    const body = decodeCbor<{ did: string; rev: string; blocks: Uint8Array }>(last.event)
    expect(body.rev).toBe(repos.get('did:plc:ahead')!.rev)
    expect(readCar(body.blocks).roots[0]!.equals(repos.get('did:plc:ahead')!.cid)).toBe(true)
  })
  test('an event newer than its repo (its commit lost to a power loss, never sent) is dropped; the rest stay', () => {
    const seq = sequencer()
    const now = Date.now()
    const block = (did: string, rev: string) => ({ ...encodeBlock({ did, rev, version: 3 }), rev })
    const kept = block('did:plc:lost', revAt(now - 2000))
    const phantom = block('did:plc:lost', revAt(now - 1000))
    const other = block('did:plc:other', revAt(now - 1500))
    seq.sync('did:plc:lost', kept)
    seq.sync('did:plc:other', other)
    seq.sync('did:plc:lost', phantom)
    const heads = new Map([
      ['did:plc:lost', kept],
      ['did:plc:other', other],
    ])
    const synced = recoverUnsequencedCommits(
      seq,
      {
        dids: () => heads.keys(),
        getRepoRoot: (did) => heads.get(did) ?? null,
        getBlock: (did, cid) => (heads.get(did)?.cid.equals(cid) ? heads.get(did)!.bytes : undefined),
      },
      { windowMs: 24 * 3600_000, log, now },
    )
    // Nothing to re-announce: the repo's head is its newest remaining event.
    expect(synced).toEqual([])
    expect(seq.store.range(0, 10).map((r) => [r.seq, r.did])).toEqual([
      [1, 'did:plc:lost'],
      [2, 'did:plc:other'],
    ])
    expect(decodeCbor<{ rev: string }>(seq.store.lastRepoEvent('did:plc:lost')!.event).rev).toBe(kept.rev)
    // The dropped seq is never handed out again.
    seq.identity('did:plc:lost')
    expect(seq.store.curr()).toBe(4)
  })
})

describe('crawlers', () => {
  function fakeRelay(failFirst = 0) {
    const calls: Array<{ path: string; body: unknown; at: number }> = []
    let failures = failFirst
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(req) {
        calls.push({ path: new URL(req.url).pathname, body: await req.json(), at: Date.now() })
        if (failures-- > 0) return new Response('busy', { status: 503 })
        return Response.json({})
      },
    })
    return { calls, url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) }
  }

  test('notifies each relay once per interval, with our hostname', async () => {
    const relays = [fakeRelay(), fakeRelay()]
    const crawlers = new Crawlers(
      'pds.example.com',
      relays.map((r) => r.url),
      { log, minIntervalMs: 60_000 },
    )
    crawlers.notifyOfUpdate()
    crawlers.notifyOfUpdate()
    crawlers.notifyOfUpdate()
    await crawlers.settle()
    for (const relay of relays) {
      expect(relay.calls).toEqual([
        { path: '/xrpc/com.atproto.sync.requestCrawl', body: { hostname: 'pds.example.com' }, at: expect.any(Number) },
      ])
      relay.stop()
    }
    crawlers.stop()
  })

  test('retries with backoff, and an update in the quiet period is sent when it ends', async () => {
    const relay = fakeRelay(2)
    const crawlers = new Crawlers('pds.example.com', [relay.url], { log, minIntervalMs: 300, backoffMs: 10 })
    crawlers.notifyOfUpdate()
    await crawlers.settle()
    expect(relay.calls.length).toBe(3)
    expect(relay.calls[1]!.at - relay.calls[0]!.at).toBeGreaterThanOrEqual(9)
    expect(relay.calls[2]!.at - relay.calls[1]!.at).toBeGreaterThanOrEqual(35)
    crawlers.notifyOfUpdate() // inside the quiet period: scheduled, not sent
    expect(relay.calls.length).toBe(3)
    await Bun.sleep(400)
    await crawlers.settle()
    expect(relay.calls.length).toBe(4)
    crawlers.stop()
    relay.stop()
  })

  test('a relay that never answers does not block the caller', async () => {
    const crawlers = new Crawlers('pds.example.com', ['http://127.0.0.1:9'], { log, attempts: 2, backoffMs: 1 })
    const start = performance.now()
    crawlers.notifyOfUpdate()
    expect(performance.now() - start).toBeLessThan(20)
    expect(await crawlers.requestCrawl('http://127.0.0.1:9')).toBe(false)
    crawlers.stop()
  })
})
