import { describe, expect, test } from 'bun:test'
import { readInteropLines } from '../helpers/interop.ts'
import { TID as ReferenceTID } from '@atproto/common-web'
import * as syntax from '../../src/core/syntax/index.ts'

type Validator = { isValid: (s: string) => boolean; ensure: (s: string) => void }

const validators: Record<string, Validator> = {
  atidentifier: { isValid: syntax.isValidAtIdentifier, ensure: syntax.ensureValidAtIdentifier },
  aturi: { isValid: syntax.isValidAtUri, ensure: syntax.ensureValidAtUri },
  cid: { isValid: syntax.isValidCid, ensure: syntax.ensureValidCid },
  datetime: { isValid: syntax.isValidDatetime, ensure: syntax.ensureValidDatetime },
  did: { isValid: syntax.isValidDid, ensure: syntax.ensureValidDid },
  handle: { isValid: syntax.isValidHandle, ensure: syntax.ensureValidHandle },
  language: { isValid: syntax.isValidLanguage, ensure: syntax.ensureValidLanguage },
  nsid: { isValid: syntax.isValidNsid, ensure: syntax.ensureValidNsid },
  recordkey: { isValid: syntax.isValidRecordKey, ensure: syntax.ensureValidRecordKey },
  tid: { isValid: syntax.isValidTid, ensure: syntax.ensureValidTid },
  uri: { isValid: syntax.isValidUri, ensure: syntax.ensureValidUri },
}

function expectValid(kind: string, value: string) {
  const v = validators[kind]!
  expect({ value, valid: v.isValid(value) }).toEqual({ value, valid: true })
  expect(() => v.ensure(value)).not.toThrow()
}

function expectInvalid(kind: string, value: string) {
  const v = validators[kind]!
  expect({ value, valid: v.isValid(value) }).toEqual({ value, valid: false })
  expect(() => v.ensure(value)).toThrow(syntax.InvalidSyntaxError)
}

describe('interop syntax vectors', () => {
  for (const kind of Object.keys(validators)) {
    const valid = readInteropLines(`syntax/${kind}_syntax_valid.txt`)
    const invalid = readInteropLines(`syntax/${kind}_syntax_invalid.txt`)
    test(`${kind}: ${valid.length} valid accepted`, () => {
      expect(valid.length).toBeGreaterThan(0)
      for (const value of valid) expectValid(kind, value)
    })
    test(`${kind}: ${invalid.length} invalid rejected`, () => {
      expect(invalid.length).toBeGreaterThan(0)
      for (const value of invalid) expectInvalid(kind, value)
    })
  }

  for (const kind of ['datetime', 'language']) {
    const parseInvalid = readInteropLines(`syntax/${kind}_parse_invalid.txt`)
    test(`${kind}: ${parseInvalid.length} parse-invalid rejected by the strict check`, () => {
      expect(parseInvalid.length).toBeGreaterThan(0)
      for (const value of parseInvalid) expectInvalid(kind, value)
    })
  }
})

describe('handle helpers', () => {
  test('normalizeHandle lower-cases', () => {
    expect(syntax.normalizeHandle('Alice.Example.COM')).toBe('alice.example.com')
    expect(syntax.normalizeAndEnsureValidHandle('Bob.Test')).toBe('bob.test')
    expect(() => syntax.normalizeAndEnsureValidHandle('bob')).toThrow(syntax.InvalidSyntaxError)
  })
  test('disallowed TLDs are syntax-valid but not allowed', () => {
    for (const handle of ['laptop.local', 'x.arpa', 'a.invalid', 'a.localhost', 'a.internal', 'a.example', 'a.onion', 'a.alt', 'A.LOCAL']) {
      expect(syntax.isValidHandle(handle)).toBe(true)
      expect(syntax.isDisallowedHandleTld(handle)).toBe(true)
      expect(syntax.isValidTld(handle)).toBe(false)
    }
    for (const handle of ['alice.bsky.social', 'bob.test', 'local.com']) {
      expect(syntax.isDisallowedHandleTld(handle)).toBe(false)
      expect(syntax.isValidTld(handle)).toBe(true)
    }
    expect(syntax.INVALID_HANDLE).toBe('handle.invalid')
  })
  test('error message names the kind', () => {
    expect(() => syntax.ensureValidHandle('no')).toThrow(/Invalid handle/)
  })
})

describe('TID', () => {
  test('100k nextTid calls are valid and strictly increasing', () => {
    let previous = syntax.nextTid()
    for (let i = 0; i < 100_000; i++) {
      const tid = syntax.nextTid()
      if (!(tid > previous) || tid.length !== 13) throw new Error(`not increasing: ${previous} then ${tid}`)
      previous = tid
    }
    expect(syntax.isValidTid(previous)).toBe(true)
  })
  test('clock id is fixed per process', () => {
    expect(syntax.tidClockId(syntax.nextTid())).toBe(syntax.tidClockId(syntax.nextTid()))
  })
  test('timestamp round trip and known value', () => {
    const micros = 1_700_000_000_123_456
    const tid = syntax.tidFromTime(micros, 5)
    expect(syntax.isValidTid(tid)).toBe(true)
    expect(syntax.tidTimestamp(tid)).toBe(micros)
    expect(syntax.tidClockId(tid)).toBe(5)
    expect(syntax.tidFromTime(0, 0)).toBe('2222222222222')
  })
  test('agrees with the reference TID codec', () => {
    for (const [micros, clockId] of [[1_700_000_000_123_456, 5], [2 ** 53 - 1, 1023], [1_500_000_000_000_000, 31]] as const) {
      expect(syntax.tidFromTime(micros, clockId)).toBe(ReferenceTID.fromTime(micros, clockId).toString())
    }
    const ref = ReferenceTID.fromStr('3jzfcijpj2z2a')
    expect(syntax.tidTimestamp('3jzfcijpj2z2a')).toBe(ref.timestamp())
    expect(syntax.tidClockId('3jzfcijpj2z2a')).toBe(ref.clockid())
  })
  test('nextTid is close to now and sorts after `after`', () => {
    const tid = syntax.nextTid()
    expect(Math.abs(syntax.tidTimestamp(tid) / 1000 - Date.now())).toBeLessThan(60_000)
    const future = syntax.tidFromTime((Date.now() + 3_600_000) * 1000, 1023)
    expect(syntax.nextTid(future) > future).toBe(true)
  })
  test('tidFromTime rejects out-of-range input', () => {
    expect(() => syntax.tidFromTime(-1, 0)).toThrow(RangeError)
    expect(() => syntax.tidFromTime(0, 1024)).toThrow(RangeError)
  })
})

describe('AT URI', () => {
  test('parse and format', () => {
    expect(syntax.parseAtUri('at://did:plc:abc/app.bsky.feed.post/3jzfcijpj2z2a')).toEqual({
      host: 'did:plc:abc',
      collection: 'app.bsky.feed.post',
      rkey: '3jzfcijpj2z2a',
    })
    expect(syntax.parseAtUri('at://alice.test')).toEqual({ host: 'alice.test' })
    expect(syntax.parseAtUri('at://alice.test/app.bsky.feed.post')).toEqual({ host: 'alice.test', collection: 'app.bsky.feed.post' })
    expect(syntax.formatAtUri({ host: 'did:plc:abc', collection: 'app.bsky.feed.post', rkey: 'self' })).toBe(
      'at://did:plc:abc/app.bsky.feed.post/self',
    )
    expect(() => syntax.formatAtUri({ host: 'did:plc:abc', rkey: 'self' })).toThrow(syntax.InvalidSyntaxError)
    expect(() => syntax.parseAtUri('at://did:plc:abc/')).toThrow(syntax.InvalidSyntaxError)
  })
  test('fragment is a JSON pointer', () => {
    expect(syntax.parseAtUri('at://did:plc:abc/app.bsky.feed.post/x#/text')).toEqual({
      host: 'did:plc:abc',
      collection: 'app.bsky.feed.post',
      rkey: 'x',
      fragment: '/text',
    })
  })
})

describe('datetime', () => {
  test('calendar checks', () => {
    expect(syntax.isValidDatetime('2024-02-29T00:00:00Z')).toBe(true)
    expect(syntax.isValidDatetime('2023-02-29T00:00:00Z')).toBe(false)
    expect(syntax.isValidDatetime('2000-02-29T00:00:00Z')).toBe(true)
    expect(syntax.isValidDatetime('1900-02-29T00:00:00Z')).toBe(false)
    expect(syntax.isValidDatetime('1985-04-31T00:00:00Z')).toBe(false)
    expect(syntax.isValidDatetime('9999-12-31T23:00:00-07:00')).toBe(false)
  })
  test('normalizeDatetime gives UTC with milliseconds', () => {
    expect(syntax.normalizeDatetime('1985-04-12T23:20:50.1239Z')).toBe('1985-04-12T23:20:50.123Z')
    expect(syntax.normalizeDatetime('1985-04-12T23:20:50-07:00')).toBe('1985-04-13T06:20:50.000Z')
    expect(syntax.normalizeDatetime('0010-12-31T23:00:00.29Z')).toBe('0010-12-31T23:00:00.290Z')
    expect(() => syntax.parseDatetime('1985-04-12')).toThrow(syntax.InvalidSyntaxError)
    expect(syntax.isValidDatetime(syntax.currentDatetime())).toBe(true)
  })
})

describe('nsid', () => {
  test('parseNsid splits authority and name', () => {
    expect(syntax.parseNsid('app.bsky.feed.post')).toEqual({ authority: 'feed.bsky.app', name: 'post' })
  })
})
