// A graceful stop lets in-flight requests finish, but a client that stalls mid-request cannot hold it.
import { expect, test } from 'bun:test'
import { startTestServer } from '../helpers/server.ts'

test('stop() closes a stalled upload after the grace period', async () => {
  const server = await startTestServer()
  const socket = await Bun.connect({ hostname: '127.0.0.1', port: server.port, socket: { data() {}, close() {} } })
  // Headers promise 1,000 bytes of JSON; only 10 ever arrive.
  socket.write(
    'POST /xrpc/com.atproto.server.createSession HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"identif',
  )
  await Bun.sleep(100)
  const started = performance.now()
  await server.close()
  const elapsed = performance.now() - started
  expect(elapsed).toBeLessThan(4000) // grace in tests is 1 s
  socket.end()
})
