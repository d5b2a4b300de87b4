// carResponse (src/api/_util/sync-access.ts) served by Bun on loopback: getRepo's export hands out the
// same two chunk buffers again and again, so the response must copy each chunk before it pulls the
// next, wait while the client is slow, and return the source (releasing the export's read snapshot)
// when the client goes away.
import { afterEach, expect, test } from 'bun:test'
import { carResponse } from '../../src/api/_util/sync-access.ts'

const CHUNK = 64 * 1024
let server: ReturnType<typeof Bun.serve> | undefined
afterEach(() => server?.stop(true))

/** `count` chunks (Infinity: endless), all in one buffer refilled with the chunk's number. */
function reusedChunks(count: number, state: { pulled: number; returned: boolean }): Generator<Uint8Array> {
  const buffer = new Uint8Array(CHUNK)
  return (function* () {
    try {
      for (let i = 0; i < count; i++) {
        buffer.fill(i & 0xff)
        state.pulled++
        yield buffer
      }
    } finally {
      state.returned = true
    }
  })()
}

function serve(count: number, state: { pulled: number; returned: boolean }) {
  server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => carResponse(reusedChunks(count, state)) })
  return `http://127.0.0.1:${server.port}/`
}

test('a slow client gets every chunk as it was when written, though the source reused its buffer', async () => {
  const state = { pulled: 0, returned: false }
  const res = await fetch(serve(200, state))
  expect(res.headers.get('content-type')).toBe('application/vnd.ipld.car')
  let offset = 0
  let wrong = 0
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const byte of part) if (byte !== (Math.floor(offset++ / CHUNK) & 0xff)) wrong++
    if (offset < 4 * 1024 * 1024) await Bun.sleep(2)
  }
  expect(offset).toBe(200 * CHUNK)
  expect(wrong).toBe(0)
  expect(state.returned).toBe(true)
})

test('a client that goes away stops the source and returns it', async () => {
  const state = { pulled: 0, returned: false }
  const abort = new AbortController()
  const res = await fetch(serve(Infinity, state), { signal: abort.signal })
  const reader = res.body!.getReader()
  await reader.read()
  await Bun.sleep(100)
  // Backpressure: an endless source is not read ahead without bound while the client does not read.
  expect(state.pulled).toBeLessThan(1000)
  expect(state.returned).toBe(false)
  abort.abort()
  for (let i = 0; i < 100 && !state.returned; i++) await Bun.sleep(20)
  expect(state.returned).toBe(true)
})
