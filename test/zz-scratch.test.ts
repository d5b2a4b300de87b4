import { test } from 'bun:test'
import { startTestServer } from './helpers/server.ts'
import { rawRequest } from './helpers/raw-http.ts'
test('413', async () => {
  const s = await startTestServer()
  const h = (len: number | 'chunked', extra = '') => `POST /xrpc/com.atproto.server.createSession HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${len === 'chunked' ? 'Transfer-Encoding: chunked' : 'Content-Length: ' + len}${extra}`
  let r = await rawRequest(s.port, h(10 * 1024 ** 3, '\r\nConnection: close'), { body: 'abc' })
  console.log('10GB', r.status, r.body, r.error)
  r = await rawRequest(s.port, h(200 * 1024 ** 2, '\r\nConnection: close'), { body: new Uint8Array(1024 * 1024) })
  console.log('200MB', r.status, r.body, r.error)
  for (const size of [300_000, 3_000_000, 12_000_000]) {
    r = await rawRequest(s.port, h(size, '\r\nConnection: close'), { body: new Uint8Array(size).fill(32), readAfterWrite: true })
    console.log('blocking', size, r.status, r.body, r.error)
  }
  const chunk = 'a'.repeat(200_000)
  r = await rawRequest(s.port, h('chunked', '\r\nConnection: close'), { body: `${(200000).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`, readAfterWrite: true })
  console.log('chunked', r.status, r.body, r.error)
  r = await rawRequest(s.port, `POST /oauth/par HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close`, { body: `3\r\nabc\r\n0\r\n\r\n` })
  console.log('par chunked', r.status, r.body, r.error)
  await s.close()
})
