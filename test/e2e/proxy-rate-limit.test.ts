// Proxied calls count against the global per-IP rate limit like local ones.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { SimpleDidResolver, didKeyResolver } from '../helpers/did-resolver.ts'
import { startFakeServices } from '../helpers/fake-services.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let plc: TestPlc
let server: TestServer
let fakes: ReturnType<typeof startFakeServices>

beforeAll(async () => {
  plc = await startPlcDirectory()
  fakes = startFakeServices(didKeyResolver(new SimpleDidResolver({ plcUrl: plc.url, allowHttpWeb: true })))
  server = await startTestServer({ PDS_DID_PLC_URL: plc.url, PDS_RATE_LIMITS_ENABLED: 'true', ...fakes.env })
})
afterAll(async () => {
  await server.close()
  await plc.close()
  fakes.close()
})

test('a proxied call carries the global limit headers and spends from the same window', async () => {
  const alice = new AtpAgent({ service: server.url })
  await alice.createAccount({ email: 'rl@example.com', handle: 'ratelimited.test', password: 'rl-password' })
  fakes.appView.on('app.bsky.graph.getFollows', () => Response.json({ subject: { did: alice.session!.did, handle: 'ratelimited.test' }, follows: [] }))
  const headers = { authorization: `Bearer ${alice.session!.accessJwt}` }
  const first = await fetch(`${server.url}/xrpc/app.bsky.graph.getFollows?actor=${alice.session!.did}`, { headers })
  expect(first.status).toBe(200)
  expect(first.headers.get('ratelimit-policy')).toBe('3000;w=300')
  const left = Number(first.headers.get('ratelimit-remaining'))
  const local = await fetch(`${server.url}/xrpc/com.atproto.server.describeServer`)
  expect(Number(local.headers.get('ratelimit-remaining'))).toBe(left - 1)
})
