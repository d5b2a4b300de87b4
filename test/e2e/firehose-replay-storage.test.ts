// Replay from storage (there is no in-memory frame cache): each event's frame is stored with it and
// read back in pages as is; events stored before frames were get theirs spliced from the stored bytes
// (no decode, no re-encode), byte-identical to freshly built ones.
import { expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { migrate } from '../../src/storage/sqlite.ts'
import { createLogger } from '../../src/logger.ts'
import { SequencerStore } from '../../src/storage/sequencer/repo-seq.ts'
import { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { Firehose } from '../../src/services/sequencer/firehose.ts'
import { frameForRow, framesFromStored } from '../../src/services/sequencer/frames.ts'
import { encodeBlock } from '../../src/core/cbor.ts'

const DID = 'did:plc:replay00000000000000000'

function fill(sequencer: Sequencer, commits: number) {
  let prev = encodeBlock({ text: 'start' })
  for (let i = 0; i < commits; i++) {
    const commit = encodeBlock({ did: DID, version: 3, rev: String(i) })
    const record = encodeBlock({ $type: 'app.bsky.feed.post', text: `post ${i} `.repeat(20), createdAt: new Date().toISOString() })
    const node = encodeBlock({ l: null, e: [{ k: new TextEncoder().encode(`app.bsky.feed.post/${i}`), p: 0, v: record.cid, t: null }] })
    sequencer.commit({
      did: DID,
      commit: commit.cid,
      rev: `3l2${String(i).padStart(10, 'a')}`,
      since: null,
      prevData: prev.cid,
      blocks: [commit, node, record],
      ops: [{ action: 'create', path: `app.bsky.feed.post/${i}`, cid: record.cid }],
      blobs: [],
    })
    prev = node
    if (i % 50 === 0) {
      sequencer.sync(DID, { ...commit, rev: `3l2${String(i).padStart(10, 'b')}` })
      sequencer.identity(DID, `user${i}.test`)
      sequencer.account(DID, i % 100 === 0, i % 100 === 0 ? undefined : 'takendown')
    }
  }
}

test('stored and spliced frames are byte-identical to frames built by decoding the event', async () => {
  const db = new Database(':memory:', { strict: true })
  migrate(db, 'sequencer')
  const store = new SequencerStore(db)
  fill(new Sequencer(store, { log: createLogger('silent') }), 120)
  const rows = store.range(0, 10_000)
  expect(new Set(rows.map((r) => r.eventType))).toEqual(new Set(['append', 'sync', 'identity', 'account']))
  const stored = store.replayPage(0, 10_000)
  for (const [i, row] of rows.entries()) expect(Buffer.from(stored[i]!.frame!).equals(Buffer.from(frameForRow(row)!))).toBe(true)
  // Rows from before the frame column: replay splices their frames, and they match too.
  db.exec('UPDATE repo_seq SET frame = NULL WHERE seq % 2 = 0')
  const replayed = new Sequencer(store, { log: createLogger('silent') })
  const firehose = new Firehose(replayed, { maxBuffer: 500, backfillLimitMs: 24 * 3600_000 })
  const frames: Uint8Array[] = []
  firehose.subscribe({ send: (f) => (frames.push(f), f.length), close() {}, getBufferedAmount: () => 0 }, 0)
  while (frames.length < rows.length) await Bun.sleep(0)
  firehose.close()
  expect(frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(rows.map((r) => Buffer.from(frameForRow(r)!).toString('hex')))
  // Large seq values take wider CBOR integers: the splice must place and size them the same way.
  for (const seq of [1, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 + 5]) {
    for (const row of rows) {
      const moved = { ...row, seq }
      expect(Buffer.from(framesFromStored([moved])[0]!).equals(Buffer.from(frameForRow(moved)!))).toBe(true)
    }
  }
})
