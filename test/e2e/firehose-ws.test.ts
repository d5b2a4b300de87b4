// subscribeRepos over a real WebSocket on the real server: frames, cursors, errors, slow readers.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { connect, type Socket } from 'node:net'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { decodeFrame } from '../../src/services/sequencer/frames.ts'
import { subscribeRepos } from '../helpers/firehose.ts'
import { encodeBlock } from '../../src/core/cbor.ts'

const DID = 'did:plc:wstestuser000000000000000'
let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ PDS_MAX_SUBSCRIPTION_BUFFER: '50' })
})
afterAll(async () => {
  await server.close()
})

const subscribe = (cursor?: number) => subscribeRepos(server.port, { cursor })


async function until(check: () => boolean, ms = 5000) {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await Bun.sleep(5)
  }
}

describe('subscribeRepos over WebSocket', () => {
  test('a plain HTTP GET is told to use a WebSocket', async () => {
    const res = await fetch(`${server.url}/xrpc/com.atproto.sync.subscribeRepos`)
    expect(res.status).toBe(426)
    const body = (await res.json()) as { error: string; message: string }
    expect(body.error).toBe('InvalidRequest')
    expect(body.message).toContain('WebSocket')
  })

  test('live events arrive as binary DAG-CBOR frames, and a cursor replays them', async () => {
    const sub = await subscribe()
    server.services.events.identity(DID, 'alice.test')
    server.services.events.account(DID, true)
    await until(() => sub.frames.length === 2)
    expect(sub.frames.map((f) => f.header)).toEqual([
      { op: 1, t: '#identity' },
      { op: 1, t: '#account' },
    ])
    expect(sub.frames[0]!.body.handle).toBe('alice.test')
    const firstSeq = sub.frames[0]!.body.seq as number
    sub.ws.close()

    const replay = await subscribe(firstSeq - 1)
    await until(() => replay.frames.length === 2)
    expect(replay.frames.map((f) => f.body.seq)).toEqual([firstSeq, firstSeq + 1])
    replay.ws.close()
  })

  test('FutureCursor: an error frame, then close', async () => {
    const sub = await subscribe(1_000_000)
    const { code, reason } = await sub.closed
    expect(code).toBe(1008)
    expect(reason).toBe('FutureCursor')
    expect(sub.frames[0]).toEqual({
      header: { op: -1 },
      body: { error: 'FutureCursor', message: 'Cursor in the future.' },
    })
  })

  test('a malformed cursor is an InvalidRequest error frame', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/xrpc/com.atproto.sync.subscribeRepos?cursor=abc`)
    ws.binaryType = 'arraybuffer'
    const frames: any[] = []
    ws.onmessage = (e) => frames.push(decodeFrame(new Uint8Array(e.data as ArrayBuffer)))
    const code = await new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)))
    expect(code).toBe(1008)
    expect(frames[0].body.error).toBe('InvalidRequest')
  })

  test('a reader that stops reading gets ConsumerTooSlow; a fast reader gets everything', async () => {
    const fast = await subscribe()
    const slow = await rawSubscriber(server.port)
    // Big commit events fill the kernel's socket buffers quickly.
    const filler = encodeBlock({ blob: new Uint8Array(256 * 1024) })
    const commit = encodeBlock({ did: DID, version: 3, data: filler.cid })
    const before = fast.frames.length
    for (let i = 0; i < 150; i++) {
      server.services.events.commit({
        did: DID,
        commit: commit.cid,
        rev: `3l2abcdefg${String(i).padStart(3, '2')}`,
        since: null,
        prevData: null,
        blocks: [commit, filler],
        ops: [],
        blobs: [],
      })
      await Bun.sleep(1)
    }
    await until(() => fast.frames.length === before + 150, 15000)
    const seqs = fast.frames.slice(before).map((f) => f.body.seq as number)
    expect(seqs).toEqual(Array.from({ length: 150 }, (_, i) => seqs[0]! + i))
    // The stalled reader now reads what the server sent before giving up on it.
    const tail = await slow.resumeAndCollect()
    expect(tail).toContain('ConsumerTooSlow')
    fast.ws.close()
  })
})

/** A WebSocket client on a raw TCP socket that does the handshake and then stops reading. */
async function rawSubscriber(port: number): Promise<{ resumeAndCollect(): Promise<string> }> {
  const socket: Socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(
    'GET /xrpc/com.atproto.sync.subscribeRepos HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  )
  await new Promise<void>((resolve) => socket.once('data', () => resolve()))
  socket.pause()
  return {
    async resumeAndCollect() {
      const chunks: Buffer[] = []
      socket.on('data', (c: Buffer) => chunks.push(c))
      socket.resume()
      await new Promise<void>((resolve) => socket.once('close', () => resolve()))
      // The close frame's reason and the error frame body are plain bytes in the stream.
      return Buffer.concat(chunks).toString('latin1')
    },
  }
}
