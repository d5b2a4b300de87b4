// listRecords sends bytes built straight from the stored CBOR: they must be, byte for byte, the JSON
// of the decoded page (JSON.stringify of listRecords' objects).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import type { AuthVerifier } from '../../src/xrpc/auth.ts'

const DID = 'did:plc:recordjsontestaaaaaaaaaa'
const COLLECTION = 'com.example.thing'
let server: TestServer

// Records the fast path takes and ones it leaves to the general path (floats are not atproto data,
// so the odd ones here are integer-like keys, which a decoded object lists first).
const values = [
  { $type: COLLECTION, text: 'plain' },
  { $type: COLLECTION, text: 'quote " backslash \\ newline \n nul \u0000 é 日本 😀 \u2028', n: -42, big: 4294967295, ok: true, none: null },
  { $type: COLLECTION, data: { $bytes: 'AAECAwQ' }, ref: { $link: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm' }, list: [[], {}, [1, [2]]] },
  { $type: COLLECTION, 10: 'integer-like key', a: 1 },
]

beforeAll(async () => {
  server = await startTestServer()
  // A stand-in verifier (access tokens for DID), as test/e2e/repo-xrpc.test.ts.
  const fakeAuth: AuthVerifier = async (kind) =>
    kind === 'none' ? { type: 'none' } : { type: 'access', did: DID, scope: 'com.atproto.access', isPrivileged: true }
  server.services.verifyAuth = fakeAuth
  ;(server.services as { accounts?: unknown }).accounts = undefined
  await server.services.repo.createRepo(DID, Secp256k1Keypair.create())
  const writes = values.map((value, i) => ({ $type: 'com.atproto.repo.applyWrites#create', collection: COLLECTION, rkey: `r${i}`, value }))
  const res = await fetch(`${server.url}/xrpc/com.atproto.repo.applyWrites`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ repo: DID, writes, validate: false }),
  })
  expect(res.status).toBe(200)
})
afterAll(() => server?.close())

test('listRecords: the bytes of JSON.stringify(listRecords(...)), every page size, both directions', () => {
  const repo = server.services.repo
  for (const reverse of [false, true]) {
    for (const limit of [1, 2, 3, 100]) {
      let cursor: string | undefined
      do {
        const page = repo.listRecords(DID, COLLECTION, { limit, cursor, reverse })
        expect(new TextDecoder().decode(repo.listRecordsJson(DID, COLLECTION, { limit, cursor, reverse }))).toBe(JSON.stringify(page))
        cursor = page.records.length ? page.cursor : undefined
      } while (cursor)
    }
  }
})
