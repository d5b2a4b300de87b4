// listRecords sends bytes built straight from the stored CBOR: they must be, byte for byte, the JSON
// of the decoded page (JSON.stringify of listRecords' objects).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startStandInRepoServer, type TestServer } from '../helpers/server.ts'

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
  server = await startStandInRepoServer(DID)
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
