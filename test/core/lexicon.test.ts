import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CID } from 'multiformats/cid'
import { Lexicons as ReferenceLexicons, jsonToLex } from '@atproto/lexicon'
import { readInteropJson } from '../helpers/interop.ts'
import { readLexiconDocuments } from '../../scripts/gen-lexicons.ts'
import {
  LexiconDefNotFoundError,
  LexiconDocError,
  Lexicons,
  type ValidationResult,
} from '../../src/core/lexicon/index.ts'

const LEXICONS_DIR = resolve(import.meta.dir, '../../lexicons')
const CATALOG_DIR = 'lexicon/catalog'

/** JSON form → IPLD form ($link → CID, $bytes → Uint8Array), enough for these tests. */
function toIpld(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toIpld)
  if (!value || typeof value !== 'object') return value
  const obj = value as Record<string, unknown>
  if (typeof obj.$link === 'string' && Object.keys(obj).length === 1) return CID.parse(obj.$link)
  if (typeof obj.$bytes === 'string' && Object.keys(obj).length === 1) return Uint8Array.fromBase64(obj.$bytes)
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, toIpld(v)]))
}

function readLexiconFile(relPath: string): unknown {
  return JSON.parse(readFileSync(resolve(LEXICONS_DIR, relPath), 'utf8'))
}

function catalogLexicons(): Lexicons {
  const lex = new Lexicons()
  for (const file of ['permission-set', 'procedure', 'query', 'record', 'subscription']) {
    lex.add(readInteropJson(`${CATALOG_DIR}/${file}.json`))
  }
  lex.add(readLexiconFile('app/bsky/actor/defs.json'))
  return lex
}

function errorOf(result: ValidationResult): string {
  if (result.success) throw new Error('expected a validation failure')
  return result.error.message
}

describe('lexicon documents (interop)', () => {
  test('catalog documents load', () => {
    const lex = catalogLexicons()
    expect(lex.ids()).toContain('example.lexicon.permissionset')
    expect(lex.getDef('example.lexicon.record#demoToken')?.type).toBe('token')
  })

  const valid = readInteropJson<{ name: string; lexicon: unknown }[]>('lexicon/lexicon-valid.json')
  const invalid = readInteropJson<{ name: string; lexicon: unknown }[]>('lexicon/lexicon-invalid.json')
  expect(valid.length).toBe(3)
  expect(invalid.length).toBe(7)

  for (const { name, lexicon } of valid) {
    test(`valid: ${name}`, () => {
      const lex = new Lexicons()
      lex.add(lexicon)
      expect(lex.has((lexicon as { id: string }).id)).toBe(true)
    })
  }
  for (const { name, lexicon } of invalid) {
    test(`invalid: ${name}`, () => {
      expect(() => new Lexicons().add(lexicon)).toThrow(LexiconDocError)
    })
  }

  test('errors list each problem with its path', () => {
    try {
      new Lexicons().add({ lexicon: 1, id: 'a.b.c', defs: { main: { type: 'object', required: ['x'], properties: {} } } })
      throw new Error('should have thrown')
    } catch (err) {
      expect(err).toBeInstanceOf(LexiconDocError)
      expect((err as LexiconDocError).issues).toEqual(['defs.main: Required field "x" not defined'])
    }
  })

  test('duplicate ids are refused, eagerly and lazily', () => {
    const doc = { lexicon: 1, id: 'example.lexicon.other', defs: { demo: { type: 'integer' } } }
    const lex = new Lexicons([doc])
    expect(() => lex.add(doc)).toThrow('lex:example.lexicon.other has already been registered')
    const lazy = new Lexicons([doc], { lazy: true })
    expect(() => lazy.add(doc)).toThrow(LexiconDocError)
  })

  test('lazy loading checks a document on first use and never mutates the input', () => {
    const bad = { lexicon: 1, id: 'example.lexicon.bad', defs: { demo: { type: 'ref', ref: '#x' } } }
    const lazy = new Lexicons([bad], { lazy: true })
    expect(lazy.has('example.lexicon.bad')).toBe(true)
    expect(() => lazy.getDef('example.lexicon.bad#demo')).toThrow(LexiconDocError)
    const doc = { lexicon: 1, id: 'example.lexicon.ok', defs: { main: { type: 'object', properties: { r: { type: 'ref', ref: '#d' } } }, d: { type: 'token' } } }
    const copy = structuredClone(doc)
    const lex = new Lexicons([doc], { lazy: true })
    expect(lex.getDef('example.lexicon.ok')?.type).toBe('object')
    expect(doc).toEqual(copy)
  })
})

describe('record data (interop)', () => {
  const lex = catalogLexicons()
  const valid = readInteropJson<{ name: string; rkey: string; data: unknown }[]>('lexicon/record-data-valid.json')
  const invalid = readInteropJson<{ name: string; rkey: string; data: unknown }[]>('lexicon/record-data-invalid.json')
  expect(valid.length).toBe(3)
  expect(invalid.length).toBe(50)

  for (const { name, data } of valid) {
    test(`valid: ${name}`, () => {
      const result = lex.validateRecord('example.lexicon.record', toIpld(data))
      if (!result.success) throw result.error
      expect(result.success).toBe(true)
    })
  }
  invalid.forEach(({ name, data }, i) => {
    test(`invalid #${i}: ${name}`, () => {
      const result = lex.validateRecord('example.lexicon.record', toIpld(data))
      expect(result.success).toBe(false)
      // Some vectors also lack the required `integer`; the value must fail for its own reason too.
      if (!name.includes('required') && !name.includes('integer field')) {
        const withInteger = { ...(data as object), integer: 1 }
        expect(lex.validateRecord('example.lexicon.record', toIpld(withInteger)).success).toBe(false)
      }
    })
  })
})

describe('validation semantics', () => {
  const lex = catalogLexicons()
  const record = (fields: Record<string, unknown>) => ({ $type: 'example.lexicon.record', integer: 1, ...fields })
  const validate = (fields: Record<string, unknown>) => lex.validateRecord('example.lexicon.record', record(fields))
  const blob = (mimeType: string, size: number) => ({
    $type: 'blob',
    ref: CID.parse('bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'),
    mimeType,
    size,
  })

  test('defaults are applied to a copy', () => {
    const value = record({})
    const result = lex.validateRecord('example.lexicon.record', value)
    expect(result).toEqual({ success: true, value: { ...value, defaultInteger: 42 } })
    expect(value).not.toHaveProperty('defaultInteger')
  })

  test('messages name the path like the reference', () => {
    expect(errorOf(validate({ integer: undefined }))).toBe('Record must have the property "integer"')
    expect(errorOf(validate({ lenString: 'abcdefg-abcdefg-abcdefg' }))).toBe(
      'Record/lenString must not be longer than 20 characters',
    )
    expect(errorOf(validate({ object: { a: 'x' } }))).toBe('Record/object/a must be an integer')
    expect(errorOf(validate({ lenArray: [1, 'x'] }))).toBe('Record/lenArray/1 must be an integer')
    expect(errorOf(validate({ formats: { did: 'nope' } }))).toBe('Record/formats/did must be a valid did')
    expect(errorOf(lex.validateRecord('example.lexicon.record', { integer: 1 }))).toBe('Record/$type must be a string')
    expect(errorOf(lex.validateRecord('example.lexicon.record', record({ $type: 'a.b.c' })))).toBe(
      'Invalid $type: must be lex:example.lexicon.record, got a.b.c',
    )
  })

  test('string lengths count UTF-8 bytes, graphemes count clusters', () => {
    expect(validate({ lenString: 'ééééé' }).success).toBe(true) // 10 bytes, 5 chars
    expect(validate({ lenString: 'éééé' }).success).toBe(false) // 8 bytes
    expect(validate({ graphemeString: '👩‍👩‍👦‍👦'.repeat(10) }).success).toBe(true)
    expect(validate({ graphemeString: '👩‍👩‍👦‍👦'.repeat(21) }).success).toBe(false)
  })

  test('nullable, const, enum, knownValues', () => {
    expect(validate({ nullableString: null }).success).toBe(true)
    expect(validate({ string: null }).success).toBe(false)
    expect(errorOf(validate({ constInteger: 41 }))).toBe('Record/constInteger must be 42')
    expect(errorOf(validate({ enumString: 'x' }))).toBe('Record/enumString must be one of (fish|tree|rock)')
    expect(validate({ knownString: 'purple' }).success).toBe(true)
  })

  test('unions: $type required, open accepts unknown types, closed refuses them, #main is implicit', () => {
    expect(validate({ union: { $type: 'com.example.other', z: 1 } }).success).toBe(true)
    expect(errorOf(validate({ union: { a: 1 } }))).toBe(
      'Record/union must be an object which includes the "$type" property',
    )
    expect(errorOf(validate({ closedUnion: { $type: 'com.example.other' } }))).toBe(
      'Record/closedUnion $type must be one of lex:example.lexicon.record#demoObject',
    )
    expect(errorOf(validate({ union: { $type: 'example.lexicon.record#demoObjectTwo', c: 'x' } }))).toBe(
      'Record/union/c must be an integer',
    )
  })

  test('blobs: accept patterns, maxSize, legacy form', () => {
    expect(validate({ acceptBlob: blob('image/webp', 1) }).success).toBe(true)
    expect(validate({ acceptBlob: blob('video/mp4', 1) }).success).toBe(false)
    expect(validate({ sizeBlob: blob('text/plain', 20) }).success).toBe(true)
    expect(validate({ sizeBlob: blob('text/plain', 21) }).success).toBe(false)
    expect(validate({ blob: { ...blob('text/plain', 1), extra: 1 } }).success).toBe(false)
    const legacy = { cid: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy', mimeType: 'image/png' }
    expect(validate({ blob: legacy, sizeBlob: legacy, acceptBlob: legacy }).success).toBe(true)
    expect(validate({ blob: { ...legacy, cid: 'nope' } }).success).toBe(false)
  })

  test('unknown must be a data object; bytes and cid-link need IPLD values', () => {
    expect(validate({ unknown: { any: ['thing'] } }).success).toBe(true)
    expect(validate({ unknown: [1] }).success).toBe(false)
    expect(validate({ unknown: 'x' }).success).toBe(false)
    expect(validate({ bytes: new Uint8Array([1]) }).success).toBe(true)
    expect(validate({ bytes: { $bytes: 'AQ' } }).success).toBe(false)
    expect(validate({ 'cid-link': blob('a/b', 1).ref }).success).toBe(true)
    expect(validate({ 'cid-link': { $link: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy' } }).success).toBe(false)
  })

  test('unknown NSIDs and dangling refs are reported, not thrown', () => {
    const missing = lex.validateRecord('com.example.nothing', { $type: 'com.example.nothing' })
    expect(missing.success).toBe(false)
    if (!missing.success) expect(missing.error).toBeInstanceOf(LexiconDefNotFoundError)
    const dangling = new Lexicons([
      { lexicon: 1, id: 'a.b.c', defs: { main: { type: 'record', record: { type: 'object', properties: { x: { type: 'ref', ref: 'd.e.f' } } } } } },
    ])
    const result = dangling.validateRecord('a.b.c', { $type: 'a.b.c', x: {} })
    expect(result.success).toBe(false)
    if (!result.success) expect(result.error.message).toBe('Lexicon not found: lex:d.e.f')
  })
})

describe('xrpc methods', () => {
  const lex = catalogLexicons()

  test('getMethod describes kind, encodings and errors', () => {
    expect(lex.getMethod('example.lexicon.query')).toMatchObject({
      kind: 'query',
      outputEncoding: 'application/json',
      errors: ['DemoError', 'AnotherDemoError'],
    })
    expect(lex.getMethod('example.lexicon.procedure')).toMatchObject({ kind: 'procedure', inputEncoding: 'application/json', errors: [] })
    expect(lex.getMethod('example.lexicon.subscription')).toMatchObject({ kind: 'subscription', errors: ['FutureCursor'] })
    expect(lex.getMethod('example.lexicon.record')).toBeUndefined()
    expect(lex.getMethod('com.example.nothing')).toBeUndefined()
  })

  test('params are coerced from the query string', () => {
    const result = lex.validateParams('example.lexicon.query', {
      stringField: 'x',
      boolean: 'true',
      integer: '-12',
      array: ['1', '2'],
      handle: 'alice.test',
      extra: 'kept',
    })
    expect(result).toEqual({
      success: true,
      value: { stringField: 'x', boolean: true, integer: -12, array: [1, 2], handle: 'alice.test', extra: 'kept' },
    })
    expect(lex.validateParams('example.lexicon.query', { stringField: 'x', array: '3' })).toMatchObject({
      success: true,
      value: { array: [3] },
    })
    expect(errorOf(lex.validateParams('example.lexicon.query', {}))).toBe('Params must have the property "stringField"')
    expect(errorOf(lex.validateParams('example.lexicon.query', { stringField: 'x', integer: '1.5' }))).toBe(
      'integer must be an integer',
    )
    expect(errorOf(lex.validateParams('example.lexicon.query', { stringField: 'x', boolean: 'yes' }))).toBe(
      'boolean must be a boolean',
    )
    expect(errorOf(lex.validateParams('example.lexicon.query', { stringField: 'x', handle: 'no_pe' }))).toBe(
      'handle must be a valid handle',
    )
    expect(lex.validateParams('example.lexicon.query', { stringField: ['a', 'b'] }).success).toBe(false)
    expect(lex.validateParams('example.lexicon.query', { stringField: 'x', integer: '' })).toEqual({
      success: true,
      value: { stringField: 'x' },
    })
  })

  test('input and output bodies', () => {
    expect(lex.validateInput('example.lexicon.procedure', { preferences: [] }).success).toBe(true)
    expect(errorOf(lex.validateInput('example.lexicon.procedure', {}))).toBe('Input must have the property "preferences"')
    expect(errorOf(lex.validateInput('example.lexicon.procedure', { preferences: [{ x: 1 }] }))).toBe(
      'Input/preferences/0 must be an object which includes the "$type" property',
    )
    expect(lex.validateOutput('example.lexicon.query', { a: 1, b: 2 }).success).toBe(true)
    expect(errorOf(lex.validateOutput('example.lexicon.query', { a: 'x' }))).toBe('Output/a must be an integer')
    expect(errorOf(lex.validateOutput('example.lexicon.query', [1]))).toBe('Output must be an object')
    expect(errorOf(lex.validateInput('example.lexicon.query', {}))).toBe('Not a procedure lexicon: lex:example.lexicon.query')
  })
})

describe('cross-check with @atproto/lexicon on the real lexicons', () => {
  const docs = readLexiconDocuments(LEXICONS_DIR)
  const ours = new Lexicons(docs)
  const reference = new ReferenceLexicons(structuredClone(docs) as never[])

  test('all lexicon documents load', () => {
    const files = readdirSync(LEXICONS_DIR, { recursive: true }).filter((f) => String(f).endsWith('.json'))
    expect(docs.length).toBe(files.length)
    expect(ours.ids().length).toBe(394)
  })

  const now = '2024-05-01T12:00:00.000Z'
  const cid = 'bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq'
  const blobCid = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'
  const strongRef = { uri: 'at://did:plc:abc123/app.bsky.feed.post/3kznmn7xqxl22', cid }
  const image = { $type: 'blob', ref: { $link: blobCid }, mimeType: 'image/jpeg', size: 1000 }
  const post = (extra: Record<string, unknown>) => ({ $type: 'app.bsky.feed.post', text: 'hello', createdAt: now, ...extra })

  const cases: [name: string, nsid: string, json: Record<string, unknown>, valid: boolean][] = [
    ['post, minimal', 'app.bsky.feed.post', post({}), true],
    ['post with facets, langs, reply, labels', 'app.bsky.feed.post', post({
      text: 'hi @alice.test https://example.com #tag',
      langs: ['en', 'pt-BR'],
      facets: [
        { index: { byteStart: 3, byteEnd: 14 }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:abc123' }] },
        { index: { byteStart: 15, byteEnd: 34 }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com' }] },
        { index: { byteStart: 35, byteEnd: 39 }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'tag' }] },
      ],
      reply: { root: strongRef, parent: strongRef },
      labels: { $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'nudity' }] },
    }), true],
    ['post with images', 'app.bsky.feed.post', post({
      embed: { $type: 'app.bsky.embed.images', images: [{ image, alt: 'a cat', aspectRatio: { width: 4, height: 3 } }] },
    }), true],
    ['post with external', 'app.bsky.feed.post', post({
      embed: { $type: 'app.bsky.embed.external', external: { uri: 'https://example.com', title: 't', description: 'd', thumb: image } },
    }), true],
    ['post with record-with-media', 'app.bsky.feed.post', post({
      embed: {
        $type: 'app.bsky.embed.recordWithMedia',
        record: { $type: 'app.bsky.embed.record', record: strongRef },
        media: { $type: 'app.bsky.embed.images', images: [{ image, alt: '' }] },
      },
    }), true],
    ['post with an embed of an unknown type (open union)', 'app.bsky.feed.post', post({ embed: { $type: 'com.example.embed', x: 1 } }), true],
    ['post text over 300 graphemes', 'app.bsky.feed.post', post({ text: 'a'.repeat(301) }), false],
    ['post text over 3000 bytes', 'app.bsky.feed.post', post({ text: '😀'.repeat(280) + 'é'.repeat(1000) }), false],
    ['post without createdAt', 'app.bsky.feed.post', { $type: 'app.bsky.feed.post', text: 'x' }, false],
    ['post with a bad datetime', 'app.bsky.feed.post', post({ createdAt: 'yesterday' }), false],
    ['post with 5 images', 'app.bsky.feed.post', post({
      embed: { $type: 'app.bsky.embed.images', images: Array(5).fill({ image, alt: '' }) },
    }), false],
    ['post with 4 langs', 'app.bsky.feed.post', post({ langs: ['en', 'fr', 'de', 'es'] }), false],
    ['post with a bad language', 'app.bsky.feed.post', post({ langs: ['english!'] }), false],
    ['post facet with a string byteStart', 'app.bsky.feed.post', post({
      facets: [{ index: { byteStart: '0', byteEnd: 2 }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'x' }] }],
    }), false],
    ['post facet feature without $type', 'app.bsky.feed.post', post({
      facets: [{ index: { byteStart: 0, byteEnd: 2 }, features: [{ tag: 'x' }] }],
    }), false],
    ['post reply with a bad at-uri', 'app.bsky.feed.post', post({ reply: { root: { ...strongRef, uri: 'http://x' }, parent: strongRef } }), false],
    ['post image without alt', 'app.bsky.feed.post', post({ embed: { $type: 'app.bsky.embed.images', images: [{ image }] } }), false],
    ['like', 'app.bsky.feed.like', { $type: 'app.bsky.feed.like', subject: strongRef, createdAt: now }, true],
    ['like with a bad cid', 'app.bsky.feed.like', { $type: 'app.bsky.feed.like', subject: { ...strongRef, cid: 'nope' }, createdAt: now }, false],
    ['like without subject', 'app.bsky.feed.like', { $type: 'app.bsky.feed.like', createdAt: now }, false],
    ['follow', 'app.bsky.graph.follow', { $type: 'app.bsky.graph.follow', subject: 'did:plc:abc123', createdAt: now }, true],
    ['follow of a handle', 'app.bsky.graph.follow', { $type: 'app.bsky.graph.follow', subject: 'alice.test', createdAt: now }, false],
    ['follow with the wrong $type', 'app.bsky.graph.follow', { $type: 'app.bsky.feed.like', subject: 'did:plc:abc123', createdAt: now }, false],
    ['profile', 'app.bsky.actor.profile', {
      $type: 'app.bsky.actor.profile',
      displayName: 'Alice 🌈',
      description: 'hi',
      avatar: { ...image, mimeType: 'image/png' },
      pinnedPost: strongRef,
      labels: { $type: 'com.atproto.label.defs#selfLabels', values: [] },
    }, true],
    ['profile, empty', 'app.bsky.actor.profile', { $type: 'app.bsky.actor.profile' }, true],
    ['profile displayName over 64 graphemes', 'app.bsky.actor.profile', { $type: 'app.bsky.actor.profile', displayName: 'x'.repeat(65) }, false],
    ['profile avatar not a blob', 'app.bsky.actor.profile', { $type: 'app.bsky.actor.profile', avatar: 'https://x/a.png' }, false],
  ]

  for (const [name, nsid, json, valid] of cases) {
    test(`${valid ? 'valid' : 'invalid'}: ${name}`, () => {
      const ourResult = ours.validateRecord(nsid, toIpld(json))
      let referenceError: string | undefined
      try {
        reference.assertValidRecord(nsid, jsonToLex(json))
      } catch (err) {
        referenceError = (err as Error).message
      }
      expect(ourResult.success).toBe(valid)
      expect(referenceError === undefined).toBe(valid)
      if (!ourResult.success) expect(ourResult.error.message).toBe(referenceError!)
    })
  }

  test('blob accept/maxSize are enforced (the reference leaves it to the blob store)', () => {
    const profile = { $type: 'app.bsky.actor.profile', avatar: { ...image, mimeType: 'image/gif' } }
    expect(() => reference.assertValidRecord('app.bsky.actor.profile', jsonToLex(profile))).not.toThrow()
    expect(errorOf(ours.validateRecord('app.bsky.actor.profile', toIpld(profile)))).toBe(
      'Record/avatar mime type image/gif is not accepted (image/png, image/jpeg)',
    )
    const big = { $type: 'app.bsky.actor.profile', avatar: { ...image, size: 1_000_001 } }
    expect(errorOf(ours.validateRecord('app.bsky.actor.profile', toIpld(big)))).toBe(
      'Record/avatar must not be larger than 1000000 bytes',
    )
  })
})
