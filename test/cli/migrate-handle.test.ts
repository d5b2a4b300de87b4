// Issue 21, keep your handle when moving: `pds migrate` keeps a custom-domain handle only when its domain
// names the DID (as this server resolves it), else falls back to the same name under our domain and says why.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { confirmHandle } from '../../cli/lib/migration.ts'
import { XrpcClient } from '../../cli/lib/xrpc-client.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

test('a domain that does not name the DID: the same name under our domain, with the reason', async () => {
  const result = await confirmHandle(new XrpcClient(server.url), DID, 'alice.example.org', ['.test'])
  expect(result.handle).toBe('alice.test')
  expect(result.note).toContain('_atproto.alice.example.org')
  expect(result.note).toContain('https://alice.example.org/.well-known/atproto-did')
})

test('a domain that names the DID is kept; one naming another DID is not', async () => {
  // com.atproto.identity.resolveHandle as documented: {did} for a handle that resolves.
  const answering = (did: string) =>
    new XrpcClient('http://resolver.invalid', undefined, async (input) => {
      expect(new URL(String(input)).searchParams.get('handle')).toBe('alice.example.org')
      return Response.json({ did })
    })
  expect(await confirmHandle(answering(DID), DID, 'alice.example.org', ['.test'])).toEqual({ handle: 'alice.example.org', note: `keeping alice.example.org: its domain names ${DID}` })
  const other = await confirmHandle(answering('did:plc:someoneelse'), DID, 'alice.example.org', ['.test'])
  expect(other.handle).toBe('alice.test')
  expect(other.note).toContain('it names did:plc:someoneelse')
})

test('a handle under our domains needs no check', async () => {
  const never = new XrpcClient('http://resolver.invalid', undefined, async () => {
    throw new Error('not called')
  })
  expect(await confirmHandle(never, DID, 'alice.test', ['.test'])).toEqual({ handle: 'alice.test' })
})
