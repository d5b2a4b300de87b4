// Malformed HTTP, against the real server (raw sockets where fetch would tidy the request up): XRPC
// paths, oversized bodies, content codings and charsets, and the case of auth schemes.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib'
import { AtpAgent } from '@atproto/api'
import { rawRequest } from '../helpers/raw-http.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { login, newClient, signUp } from '../oauth/flow.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
let accessJwt: string

beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
  accessJwt = alice.agent.session!.accessJwt
})
afterAll(() => server.close())

const get = (path: string) => rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close`)
const json = (r: { body: string }) => JSON.parse(r.body)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bodyOf = async (r: Response) => (await r.json()) as any

describe('XRPC paths', () => {
  test('no NSID, several segments or a malformed NSID: 400 InvalidRequest as JSON', async () => {
    for (const path of ['/xrpc/', '/xrpc/a/b', '/xrpc/com.atproto..x', '/xrpc/com.example.', '/xrpc/.com.example.x', '/xrpc/com.example.x!', '/xrpc/com.atproto.server.describeServer/extra']) {
      const r = await get(path)
      expect({ path, status: r.status, type: r.headers['content-type'] }).toEqual({ path, status: 400, type: expect.stringContaining('application/json') })
      expect(json(r)).toEqual({ error: 'InvalidRequest', message: 'invalid xrpc path' })
    }
  })

  test('dot segments are resolved before routing (RFC 3986), never served as an NSID', async () => {
    const r = await get('/xrpc/../xrpc/com.atproto.server.describeServer')
    expect(r.status).toBe(200)
    expect(json(r).did).toBe('did:web:localhost')
    const inside = await get('/xrpc/com.atproto.server.describeServer/../../xrpc/com..x')
    expect(inside.status).toBe(400)
    expect(json(inside).error).toBe('InvalidRequest')
  })

  test('a trailing slash after the NSID is allowed, as the reference', async () => {
    const r = await get('/xrpc/com.atproto.server.describeServer/')
    expect(r.status).toBe(200)
  })
})

describe('oversized bodies: always a JSON 413 the client gets to read', () => {
  const head = (length: number | 'chunked', path = '/xrpc/com.atproto.server.createSession') =>
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n` +
    (length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`)
  const tooLarge = { error: 'PayloadTooLarge', message: 'request entity too large' }

  test('a declared Content-Length far beyond any limit (10 GiB, 200 MiB), only a little of it sent', async () => {
    for (const length of [10 * 1024 ** 3, 200 * 1024 ** 2]) {
      const r = await rawRequest(server.port, head(length), { body: new Uint8Array(64 * 1024) })
      expect(r.status).toBe(413)
      expect(r.headers['content-type']).toContain('application/json')
      expect(json(r)).toEqual(tooLarge)
    }
    const blob = await rawRequest(server.port, head(10 * 1024 ** 3, '/xrpc/com.atproto.repo.uploadBlob'), { body: 'x' })
    expect(blob.status).toBe(413)
    expect(json(blob)).toEqual(tooLarge)
  })

  test('a client that writes its whole body before reading, with Connection: close, still reads the 413', async () => {
    for (const size of [300_000, 12_000_000]) {
      const r = await rawRequest(server.port, head(size), { body: new Uint8Array(size).fill(32), readAfterWrite: true })
      expect({ size, status: r.status, error: r.error }).toEqual({ size, status: 413, error: undefined })
      expect(json(r)).toEqual(tooLarge)
    }
  })

  test('a chunked body that grows past the limit', async () => {
    const chunk = 'a'.repeat(200_000)
    const r = await rawRequest(server.port, head('chunked'), { body: `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`, readAfterWrite: true })
    expect(r.status).toBe(413)
    expect(json(r)).toEqual(tooLarge)
  })

  test('chunked bodies outside /xrpc/ (forms, OAuth) are 411 Length Required', async () => {
    const r = await rawRequest(server.port, head('chunked', '/oauth/par'), { body: '3\r\nabc\r\n0\r\n\r\n' })
    expect(r.status).toBe(411)
  })
})

describe('content codings and charsets', () => {
  const createSession = (body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(`${server.url}/xrpc/com.atproto.server.createSession`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  const login = () => JSON.stringify({ identifier: alice.handle, password: alice.password })

  test('gzip, deflate and br bodies are decoded; identity is the same as none', async () => {
    for (const [coding, encode] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync], ['identity', (b: Buffer) => b]] as const) {
      const res = await createSession(new Uint8Array(encode(Buffer.from(login()))), { 'content-encoding': coding })
      expect({ coding, status: res.status }).toEqual({ coding, status: 200 })
    }
  })

  test('a coding the server does not decode is 415, not ignored', async () => {
    for (const coding of ['zstd', 'compress', 'gzip, snappy']) {
      const res = await createSession(login(), { 'content-encoding': coding })
      expect(res.status).toBe(415)
      expect(await bodyOf(res)).toEqual({ error: 'UnsupportedMediaType', message: 'unsupported content-encoding' })
    }
  })

  test('a compressed body is held to the limit once decoded (a small bomb is 413)', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 32))
    expect(bomb.byteLength).toBeLessThan(150 * 1024)
    const res = await createSession(new Uint8Array(bomb), { 'content-encoding': 'gzip' })
    expect(res.status).toBe(413)
    expect((await bodyOf(res)).error).toBe('PayloadTooLarge')
  })

  test('JSON must be UTF-8: an unknown or other charset is refused', async () => {
    expect((await createSession(login(), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200)
    expect((await createSession(login(), { 'content-type': 'application/json; charset="UTF-8"' })).status).toBe(200)
    for (const charset of ['latin1', 'x-klingon', 'utf-16']) {
      const res = await createSession(login(), { 'content-type': `application/json; charset=${charset}` })
      expect(res.status).toBe(415)
      expect(await bodyOf(res)).toEqual({ error: 'UnsupportedMediaType', message: `unsupported charset "${charset.toUpperCase()}"` })
    }
  })

  test('a gzipped blob upload is stored decoded', async () => {
    const bytes = new TextEncoder().encode('hello blob '.repeat(100))
    const res = await fetch(`${server.url}/xrpc/com.atproto.repo.uploadBlob`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessJwt}`, 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipSync(bytes)),
    })
    expect(res.status).toBe(200)
    expect((await bodyOf(res)).blob.size).toBe(bytes.byteLength)
    const corrupt = new Uint8Array(gzipSync(bytes)).map((b, i) => (i > 20 ? b ^ 0x5a : b))
    for (const [path, type] of [['com.atproto.repo.uploadBlob', 'text/plain'], ['com.atproto.server.createSession', 'application/json']]) {
      const bad = await fetch(`${server.url}/xrpc/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessJwt}`, 'content-type': type!, 'content-encoding': 'gzip' },
        body: corrupt,
      })
      expect({ path, status: bad.status }).toEqual({ path, status: 400 })
      expect(await bodyOf(bad)).toEqual({ error: 'InvalidRequest', message: 'unable to decode request body' })
    }
  })
})

describe('auth schemes are case-insensitive (RFC 9110)', () => {
  test('bearer / BEARER session tokens', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await fetch(`${server.url}/xrpc/com.atproto.server.getSession`, { headers: { authorization: `${scheme} ${accessJwt}` } })
      expect({ scheme, status: res.status }).toEqual({ scheme, status: 200 })
    }
  })

  test('basic / BASIC admin auth', async () => {
    const credentials = server.adminAuth.slice('Basic '.length)
    for (const scheme of ['basic', 'BASIC']) {
      const res = await fetch(`${server.url}/xrpc/com.atproto.admin.getAccountInfo?did=${alice.did}`, { headers: { authorization: `${scheme} ${credentials}` } })
      expect({ scheme, status: res.status }).toEqual({ scheme, status: 200 })
    }
  })

  test('dpop OAuth access tokens', async () => {
    const client = await newClient(server)
    const { tokens } = await login(server, client, { identifier: alice.handle, password: alice.password })
    const agentless = await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)
    expect(agentless.status).toBe(200)
    // The same call with the scheme in lower case (the hand client sends "DPoP").
    const original = globalThis.fetch
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers)
      const auth = headers.get('authorization')
      if (auth?.startsWith('DPoP ')) headers.set('authorization', `dpop ${auth.slice(5)}`)
      return original(input, { ...init, headers })
    }) as typeof fetch
    try {
      const res = await client.resource('/xrpc/com.atproto.server.getSession', tokens.access_token)
      expect(res.status).toBe(200)
      expect((await bodyOf(res)).did).toBe(alice.did)
    } finally {
      globalThis.fetch = original
    }
  })
})

test('the official client still works after all that', async () => {
  const agent = new AtpAgent({ service: server.url })
  await agent.login({ identifier: alice.handle, password: alice.password })
  expect(agent.session?.did).toBe(alice.did)
})
