import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ PDS_CONTACT_EMAIL_ADDRESS: 'admin@example.com', PDS_PRIVACY_POLICY_URL: 'https://example.com/privacy' })
})
afterAll(() => server.close())

describe('http surface', () => {
  test('health answers with the version', async () => {
    const res = await fetch(`${server.url}/xrpc/_health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
  })

  test('banner and robots.txt', async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toContain('AT Protocol Personal Data Server')
    expect(await (await fetch(`${server.url}/robots.txt`)).text()).toContain('User-agent: *')
  })

  test('describeServer through the official client', async () => {
    const agent = new AtpAgent({ service: server.url })
    const { data } = await agent.com.atproto.server.describeServer()
    expect(data.did).toBe('did:web:localhost')
    expect(data.availableUserDomains).toEqual(['.test'])
    expect(data.inviteCodeRequired).toBe(false)
    expect(data.contact).toEqual({ email: 'admin@example.com' })
    expect(data.links).toEqual({ privacyPolicy: 'https://example.com/privacy' })
  })

  test('wrong HTTP method is InvalidRequest', async () => {
    const res = await fetch(`${server.url}/xrpc/com.atproto.server.describeServer`, { method: 'POST' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'InvalidRequest', message: 'Incorrect HTTP method (POST) expected GET' })
  })

  test('unknown methods with no AppView configured: 400 "No service configured" (as the reference)', async () => {
    const res = await fetch(`${server.url}/xrpc/com.example.doesNotExist`)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'InvalidRequest', message: 'No service configured for com.example.doesNotExist' })
  })

  test('CORS preflight and simple responses', async () => {
    const pre = await fetch(`${server.url}/xrpc/com.atproto.server.describeServer`, {
      method: 'OPTIONS',
      headers: { 'access-control-request-headers': 'authorization,content-type', origin: 'https://bsky.app' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,content-type')
    const res = await fetch(`${server.url}/xrpc/com.atproto.server.describeServer`, { headers: { origin: 'https://bsky.app' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })
})

describe('JSON request bodies', () => {
  const url = () => `${server.url}/xrpc/com.atproto.server.createSession`
  const body = JSON.stringify({ identifier: 'nobody.test', password: 'wrong' })

  test('with a declared length and streamed (chunked) alike, the body is parsed', async () => {
    const sized = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const chunked = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(body.slice(0, 10)))
          c.enqueue(new TextEncoder().encode(body.slice(10)))
          c.close()
        },
      }),
    })
    for (const res of [sized, chunked]) {
      expect(res.status).toBe(401)
      expect(((await res.json()) as { error: string }).error).toBe('AuthenticationRequired')
    }
  })

  test('a leading byte-order mark is not valid JSON, with or without a declared length', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body)])
    const sized = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes })
    const chunked = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) }),
    })
    for (const res of [sized, chunked]) {
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: 'InvalidRequest', message: 'Request body is not valid JSON' })
    }
  })

  test('a declared length over the limit is PayloadTooLarge', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(200 * 1024) }) })
    expect(res.status).toBe(413)
  })
})

describe('health when the database is unusable', () => {
  test('answers 503', async () => {
    const { createApp } = await import('../../src/xrpc/app.ts')
    const services = { ...server.services, isHealthy: () => false }
    const app = createApp({ services, registry: new Map(), version: '1.2.3' })
    const res = await app.handle(new Request('http://localhost/xrpc/_health'))
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ version: '1.2.3', error: 'Service Unavailable' })
  })
})
