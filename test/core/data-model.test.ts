import { describe, expect, test } from 'bun:test'
import { cborToLex, cidForRecord } from '@atproto/repo'
import { readInteropJson } from '../helpers/interop.ts'
import { CID, cidForCborBytes, decodeCbor, encodeCbor } from '../../src/core/cbor.ts'
import {
  InvalidDataError,
  checkIpldData,
  ipldToJson,
  isBlobRef,
  isValidAtData,
  isValidIpldData,
  jsonToIpld,
  validateIpldData,
} from '../../src/core/data-model.ts'

type Fixture = { json: unknown; cbor_base64: string; cid: string }
type Case = { note: string; json: unknown }

const fixtures = readInteropJson<Fixture[]>('data-model/data-model-fixtures.json')
const validCases = readInteropJson<Case[]>('data-model/data-model-valid.json')
const invalidCases = readInteropJson<Case[]>('data-model/data-model-invalid.json')

describe('data-model fixtures', () => {
  test('there are fixtures', () => expect(fixtures.length).toBe(3))
  fixtures.forEach((fixture, i) => {
    test(`fixture ${i}: JSON -> IPLD -> exact DAG-CBOR bytes and CID`, () => {
      const ipld = jsonToIpld(fixture.json)
      validateIpldData(ipld)
      const bytes = encodeCbor(ipld)
      expect(bytes.toBase64({ omitPadding: true })).toBe(fixture.cbor_base64)
      expect(cidForCborBytes(bytes).toString()).toBe(fixture.cid)
    })
    test(`fixture ${i}: CBOR -> IPLD -> JSON round trip`, () => {
      const decoded = decodeCbor(Uint8Array.fromBase64(fixture.cbor_base64))
      expect(isValidIpldData(decoded)).toBe(true)
      expect(ipldToJson(decoded)).toEqual(fixture.json)
    })
    test(`fixture ${i}: agrees with @atproto/repo`, async () => {
      const ipld = jsonToIpld(fixture.json)
      expect((await cidForRecord(ipld as never)).toString()).toBe(fixture.cid)
      const theirs = cborToLex(Uint8Array.fromBase64(fixture.cbor_base64))
      expect(encodeCbor(theirs)).toEqual(encodeCbor(ipld))
    })
  })
})

describe('data-model valid / invalid', () => {
  for (const c of validCases) {
    test(`valid: ${c.note}`, () => {
      expect(isValidAtData(c.json)).toBe(true)
      const ipld = jsonToIpld(c.json)
      expect(checkIpldData(ipld)).toBeNull()
      // and survives a CBOR round trip unchanged
      expect(ipldToJson(decodeCbor(encodeCbor(ipld)))).toEqual(c.json as never)
    })
  }
  for (const c of invalidCases) {
    test(`invalid: ${c.note}`, () => {
      expect(isValidAtData(c.json)).toBe(false)
    })
  }
  test('counts', () => {
    expect(validCases.length).toBe(5)
    expect(invalidCases.length).toBe(12)
  })
})

describe('conversion details', () => {
  const cidText = 'bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity'

  test('$link and $bytes become CID and Uint8Array, and back', () => {
    const ipld = jsonToIpld({ l: { $link: cidText }, b: { $bytes: 'AQID' } }) as Record<string, unknown>
    expect(CID.asCID(ipld.l)?.toString()).toBe(cidText)
    expect(ipld.b).toEqual(new Uint8Array([1, 2, 3]))
    expect(ipldToJson(ipld)).toEqual({ l: { $link: cidText }, b: { $bytes: 'AQID' } })
  })
  test('padded base64 is accepted, output is unpadded', () => {
    const ipld = jsonToIpld({ $bytes: 'AQ==' })
    expect(ipld).toEqual(new Uint8Array([1]))
    expect(ipldToJson(ipld)).toEqual({ $bytes: 'AQ' })
  })
  test('malformed special objects throw InvalidDataError with a path', () => {
    expect(() => jsonToIpld({ a: [{ $link: 'nope' }] })).toThrow(InvalidDataError)
    expect(() => jsonToIpld({ a: [{ $link: 'nope' }] })).toThrow(/a\[0\]/)
    expect(() => jsonToIpld({ $bytes: 'not base64!' })).toThrow(InvalidDataError)
    expect(() => jsonToIpld({ n: 1.5 })).toThrow(InvalidDataError)
    expect(() => jsonToIpld(JSON.parse('{"__proto__": {"x": 1}}'))).toThrow(InvalidDataError)
  })
  test('undefined values are dropped by jsonToIpld but rejected by validation', () => {
    expect(jsonToIpld({ a: 1, b: undefined })).toEqual({ a: 1 })
    expect(isValidIpldData({ a: 1, b: undefined })).toBe(false)
  })
  test('validation rejects non-data values', () => {
    expect(isValidIpldData({ a: new Date() })).toBe(false)
    expect(isValidIpldData({ a: 1.5 })).toBe(false)
    expect(isValidIpldData({ a: Number.NaN })).toBe(false)
    expect(isValidIpldData([1, 2])).toBe(false)
    expect(isValidIpldData({ a: new Uint8Array(2), b: CID.parse(cidText), c: [null, true, 'x'] })).toBe(true)
    expect(() => validateIpldData({ x: { $type: '' } })).toThrow(/x\.\$type/)
  })
  test('isBlobRef', () => {
    const blob = { $type: 'blob', ref: CID.parse(cidText), mimeType: 'image/jpeg', size: 10 }
    expect(isBlobRef(blob)).toBe(true)
    expect(isBlobRef({ ...blob, extra: 1 })).toBe(false)
    expect(isBlobRef({ ...blob, size: -1 })).toBe(false)
    expect(isBlobRef({ ...blob, mimeType: 'jpeg' })).toBe(false)
    expect(isBlobRef({ ...blob, ref: cidText })).toBe(false)
    // a dag-cbor CID is a well-formed link but not a blob CID in strict mode
    const dagCborCid = CID.parse('bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a')
    expect(isBlobRef({ ...blob, ref: dagCborCid })).toBe(false)
    expect(isBlobRef({ ...blob, ref: dagCborCid }, { strict: false })).toBe(true)
  })
})
