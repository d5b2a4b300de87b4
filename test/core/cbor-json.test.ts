// dagCborToJsonText must give, byte for byte, the text the general path gives
// (JSON.stringify(ipldToJson(decodeCbor(bytes)))), or undefined so the caller takes that path.
import { describe, expect, test } from 'bun:test'
import * as dagCbor from '@ipld/dag-cbor'
import { readInteropJson } from '../helpers/interop.ts'
import { CID, cidForCborBytes, decodeCbor, encodeCbor } from '../../src/core/cbor.ts'
import { dagCborToJsonText, JsonBytes } from '../../src/core/cbor-json.ts'
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

describe('JsonBytes', () => {
  const utf8 = (text: string) => new TextEncoder().encode(text)
  const viaBytes = (bytes: Uint8Array): Uint8Array | undefined => {
    const json = new JsonBytes()
    return json.dagCbor(bytes) ? json.take() : undefined
  }
  /** The head of a text string (major type 3) of `length` bytes, minimally encoded. */
  const textHead = (length: number) => (length < 24 ? [0x60 + length] : [0x78, length])
  /** A text string of raw bytes, well-formed UTF-8 or not. */
  const cborText = (raw: number[]) => new Uint8Array([...textHead(raw.length), ...raw])

  test('DAG-CBOR to the UTF-8 bytes of the general path, for the fixtures and the values above', () => {
    const fixtures = readInteropJson<Array<{ cbor_base64: string }>>('data-model/data-model-fixtures.json')
    const all = [...fixtures.map((f) => Uint8Array.fromBase64(f.cbor_base64)), ...Object.values(values).map((v) => encodeCbor(v))]
    for (const bytes of all) expect(viaBytes(bytes)).toEqual(utf8(general(bytes)))
  })

  test('ill-formed UTF-8 in a text string reads as the general path decodes it (U+FFFD), escaped as JSON.stringify does', () => {
    const cases = [
      [0x61, 0xff, 0x62], // a byte that never starts a sequence
      [0xc0, 0xaf], // overlong
      [0xe0, 0x80, 0xaf], // overlong, 3 bytes
      [0xed, 0xa0, 0x80], // a surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe6, 0x97], // truncated
      [0x22, 0x0a, 0xe6, 0x97], // escapes, then truncated
      [0xf0, 0x9f, 0x98, 0x80, 0x80], // an emoji, then a lone continuation byte
    ]
    for (const raw of cases) {
      const bytes = cborText(raw)
      expect(viaBytes(bytes)).toEqual(utf8(general(bytes)))
    }
    // Well-formed multi-byte text is copied: 2, 3 and 4 bytes, at the edges of their ranges.
    const wellFormed = cborText([0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xed, 0x9f, 0xbf, 0xee, 0x80, 0x80, 0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf])
    expect(viaBytes(wellFormed)).toEqual(utf8(general(wellFormed)))
  })

  test('a map key of ill-formed UTF-8 takes the general path (two such keys can decode to one)', () => {
    const bytes = new Uint8Array([0xa2, 0x61, 0xff, 0x01, 0x61, 0xfe, 0x02])
    expect(viaBytes(bytes)).toBeUndefined()
  })

  test('every control character, quote and backslash is escaped as JSON.stringify escapes it', () => {
    const text = Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)).join('')
    const bytes = encodeCbor({ text })
    expect(viaBytes(bytes)).toEqual(utf8(general(bytes)))
  })

  test('random records with random text bytes: the general path, byte for byte, whenever it answers', () => {
    let seed = 11
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    let answered = 0
    for (let i = 0; i < 2000; i++) {
      // A post-like map whose text is random bytes: mostly ASCII, some multi-byte, some ill-formed.
      const raw = Array.from({ length: Math.floor(rand() * 40) }, () => (rand() < 0.7 ? 0x20 + Math.floor(rand() * 0x60) : Math.floor(rand() * 256)))
      const head = [0xa2, 0x64, ...utf8('text'), ...textHead(raw.length), ...raw]
      const bytes = new Uint8Array([...head, 0x65, ...utf8('count'), 0x1a, ...[0, 1, 2, 3].map(() => Math.floor(rand() * 256))])
      bytes[bytes.length - 4] |= 1 // a 32-bit argument must be at least 0x10000 to be minimal
      const fast = viaBytes(bytes)
      if (fast === undefined) continue
      answered++
      expect(fast).toEqual(utf8(general(bytes)))
    }
    expect(answered).toBe(2000)
  })

  test('string() writes what JSON.stringify writes, and pieces join in order', () => {
    const json = new JsonBytes()
    const strings = ['at://did:plc:abc/app.bsky.feed.post/3k', 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm', 'quote " back \\ nl \n é 😀 \u2028', '']
    json.ascii('[')
    strings.forEach((s, i) => {
      if (i) json.ascii(',')
      json.string(s)
    })
    json.ascii(']')
    expect(json.take()).toEqual(utf8(JSON.stringify(strings)))
  })

  test('string(text, prefix) writes the JSON string of prefix + text, escaping in either part', () => {
    const pairs: Array<[string, string]> = [
      ['3k2la7btqyk2s', 'at://did:plc:abc/app.bsky.feed.post/'],
      ['', 'at://did:plc:abc/app.bsky.feed.post/'],
      ['key"quote', 'at://did:web:example.com%3A8080/a.b.c/'],
      ['plain', 'pré\\fix\n'],
      ['é😀', ''],
    ]
    const json = new JsonBytes()
    json.ascii('[')
    pairs.forEach(([text, prefix], i) => {
      if (i) json.ascii(',')
      json.string(text, prefix)
    })
    json.ascii(']')
    expect(json.take()).toEqual(utf8(JSON.stringify(pairs.map(([text, prefix]) => prefix + text))))
  })

  test('outside the common subset nothing is written, and the build goes on', () => {
    const json = new JsonBytes()
    json.ascii('[')
    expect(json.dagCbor(dagCbor.encode({ f: 1.5 }))).toBe(false)
    expect(json.dagCbor(new Uint8Array([0xa1, 0x61, 0x61]))).toBe(false)
    expect(json.dagCbor(encodeCbor({ a: 1 }))).toBe(true)
    json.ascii(']')
    expect(new TextDecoder().decode(json.take())).toBe('[{"a":1}]')
  })

  test('begin() starts over after an interrupted build', () => {
    const json = new JsonBytes()
    json.ascii('{"records":[')
    json.begin()
    json.string('x')
    expect(new TextDecoder().decode(json.take())).toBe('"x"')
  })
})
