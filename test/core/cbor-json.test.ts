// dagCborToJsonText must give, byte for byte, the text the general path gives
// (JSON.stringify(ipldToJson(decodeCbor(bytes)))), or undefined so the caller takes that path.
import { describe, expect, test } from 'bun:test'
import * as dagCbor from '@ipld/dag-cbor'
import { readInteropJson } from '../helpers/interop.ts'
import { CID, cidForCborBytes, decodeCbor, encodeCbor } from '../../src/core/cbor.ts'
import { dagCborToJsonText } from '../../src/core/cbor-json.ts'
import { ipldToJson, jsonToIpld } from '../../src/core/data-model.ts'

const general = (bytes: Uint8Array) => JSON.stringify(ipldToJson(decodeCbor(bytes)))
const link = cidForCborBytes(encodeCbor({ a: 1 }))

const values: Record<string, unknown> = {
  post: { $type: 'app.bsky.feed.post', text: 'hello', createdAt: '2024-01-01T00:00:00.000Z', langs: ['en'] },
  escapes: { text: 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f ls \u2028 ps \u2029 emoji 😀 é 日本' },
  numbers: { a: 0, b: 23, c: 24, d: 255, e: 256, f: 65535, g: 65536, h: 4294967295, i: -1, j: -24, k: -25, l: -4294967296 },
  nested: { a: [1, [2, [3, { b: [true, false, null] }]]], c: {}, d: [] },
  links: { subject: { cid: link, uri: 'at://did:plc:x/app.bsky.feed.post/1' }, list: [link, link] },
  bytes: { empty: new Uint8Array(0), some: new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]), three: new Uint8Array([1, 2, 3]), long: new Uint8Array(300).map((_, i) => i) },
  long: { text: 'x'.repeat(70000), list: Array.from({ length: 300 }, (_, i) => i * 1000) },
  blob: { $type: 'blob', ref: link, mimeType: 'image/png', size: 12345 },
  keys: { '': 1, a: 2, aa: 3, b: 4, 'key with spaces': 5, 'é': 6 },
}

describe('dagCborToJsonText', () => {
  for (const [name, value] of Object.entries(values)) {
    test(`${name}: the same text as the general path`, () => {
      const bytes = encodeCbor(value)
      const text = dagCborToJsonText(bytes)
      expect(text).toBeDefined()
      expect(text).toBe(general(bytes))
    })
  }

  test('the interop data-model fixtures give the same text as the general path', () => {
    const fixtures = readInteropJson<Array<{ json: unknown; cbor_base64: string }>>('data-model/data-model-fixtures.json')
    expect(fixtures.length).toBeGreaterThan(0)
    for (const fixture of fixtures) {
      const bytes = Uint8Array.fromBase64(fixture.cbor_base64)
      expect(dagCborToJsonText(bytes)).toBe(general(bytes))
      expect(JSON.parse(dagCborToJsonText(bytes)!)).toEqual(fixture.json as never)
    }
  })

  test('a record written through jsonToIpld reads back as its JSON', () => {
    const json = { $type: 'app.bsky.feed.like', subject: { uri: 'at://did:plc:abc/app.bsky.feed.post/3k', cid: link.toString() }, createdAt: '2024-01-01T00:00:00.000Z', data: { $bytes: 'AAEC' }, ref: { $link: link.toString() } }
    expect(JSON.parse(dagCborToJsonText(encodeCbor(jsonToIpld(json)))!)).toEqual(json)
  })

  test('outside the common subset it answers undefined (the general path decides)', () => {
    const cases = [
      dagCbor.encode({ 1: 'integer-like keys come first in a decoded object', a: 2 }),
      dagCbor.encode({ f: 1.5 }),
      dagCbor.encode({ big: 2 ** 40 }),
      dagCbor.encode({ link: CID.parse('QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n') }),
      new Uint8Array([0xa1, 0x61, 0x61]), // truncated map
      new Uint8Array([0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02]), // keys out of order
      new Uint8Array([0x01, 0x02]), // trailing bytes
    ]
    for (const bytes of cases) expect(dagCborToJsonText(bytes)).toBeUndefined()
  })

  test('random values: the same text as the general path whenever it answers', () => {
    let seed = 7
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]!
    const text = () => Array.from({ length: Math.floor(rand() * 4) }, () => pick(['a', 'text', '$type', 'é', '😀', '"', '\\', '\n', '1', ' ', 'Z'.repeat(30)])).join('')
    const value = (depth: number): unknown => {
      switch (Math.floor(rand() * (depth > 3 ? 5 : 7))) {
        case 0: return Math.floor(rand() * 2 ** (1 + Math.floor(rand() * 34))) * (rand() < 0.3 ? -1 : 1)
        case 1: return text()
        case 2: return new Uint8Array(Math.floor(rand() * 60)).map(() => Math.floor(rand() * 256))
        case 3: return cidForCborBytes(encodeCbor({ n: Math.floor(rand() * 1000) }))
        case 4: return pick([true, false, null, 0.5, 2 ** 60])
        case 5: return Array.from({ length: Math.floor(rand() * 5) }, () => value(depth + 1))
        default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 6) }, () => [text(), value(depth + 1)]))
      }
    }
    let answered = 0
    for (let i = 0; i < 3000; i++) {
      const bytes = dagCbor.encode({ v: value(0) })
      const fast = dagCborToJsonText(bytes)
      if (fast === undefined) continue
      answered++
      expect(fast).toBe(general(bytes))
    }
    expect(answered).toBeGreaterThan(1500)
  })
})
