// The bench's HTTP/1.1 client (bench/http-client.ts): the throughput rows trust it to read whole
// answers from our server and from the reference, whatever framing they choose, on one kept-alive socket.
import { afterAll, expect, test } from 'bun:test'
import { HttpConnection } from '../../bench/http-client.ts'

const big = 'x'.repeat(200_000)
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: async (req) => {
    const path = new URL(req.url).pathname
    if (path === '/echo') return Response.json({ method: req.method, body: await req.text(), auth: req.headers.get('authorization') })
    if (path === '/big') return new Response(big)
    if (path === '/chunked') {
      // A streamed body has no length up front: Bun sends it chunked, as Node does for streamed answers.
      const parts = ['one,', 'two,', 'three']
      return new Response(new ReadableStream({ async pull(controller) {
        const part = parts.shift()
        if (part === undefined) return controller.close()
        controller.enqueue(new TextEncoder().encode(part))
        await Bun.sleep(5)
      } }))
    }
    if (path === '/empty') return new Response(null, { status: 204 })
    return new Response('missing', { status: 404 })
  },
})
afterAll(() => server.stop(true))
const url = `http://127.0.0.1:${server.port}`

test('answers of every framing arrive whole, one after another on one connection', async () => {
  const connection = await HttpConnection.open(url)
  const echo = await connection.request('POST', '/echo', { headers: { authorization: 'Bearer abc', 'content-type': 'application/json' }, body: '{"é":1}' })
  expect(echo.status).toBe(200)
  expect(echo.json()).toEqual({ method: 'POST', body: '{"é":1}', auth: 'Bearer abc' })
  expect((await connection.request('GET', '/big')).text()).toBe(big)
  const chunked = await connection.request('GET', '/chunked')
  expect(chunked.headers.get('transfer-encoding')).toBe('chunked')
  expect(chunked.text()).toBe('one,two,three')
  const empty = await connection.request('GET', '/empty')
  expect([empty.status, empty.body.length]).toEqual([204, 0])
  const missing = await connection.request('GET', '/nope')
  expect([missing.status, missing.text()]).toEqual([404, 'missing'])
  connection.close()
})

test('one request at a time; a closed connection refuses more', async () => {
  const connection = await HttpConnection.open(url)
  const first = connection.request('GET', '/big')
  expect(() => connection.request('GET', '/big')).toThrow('one request at a time')
  await first
  connection.close()
  expect(connection.request('GET', '/big')).rejects.toThrow('connection closed')
})
