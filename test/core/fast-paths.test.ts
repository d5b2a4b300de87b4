// The hand-written fast paths of core (hashing, CID strings and parsing, key checks) against
// the generic libraries they replace, on random input.
import { describe, expect, test } from 'bun:test'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { base58btc } from 'multiformats/bases/base58'
import { cidForBytes, cidForCborBytes, cidForRaw, readSha256Cid, sha256Bytes } from '../../src/core/cbor.ts'
import { isValidMstKey, keyHeight } from '../../src/core/mst/index.ts'
import { sha256 } from '../../src/core/crypto/index.ts'

// Deterministic pseudo-random source so failures are reproducible.
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

function randomBytes(rand: () => number, max: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * max))
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256)
  return out
}

describe('sha256 and CIDs', () => {
  const rand = rng(1)
  test('sha256 matches @noble/hashes', () => {
    for (let i = 0; i < 300; i++) {
      const data = randomBytes(rand, 3000)
      const expected = nobleSha256(data)
      expect(sha256Bytes(data)).toEqual(expected)
      expect(sha256(data)).toEqual(expected)
    }
  })

  test('CIDs equal the ones multiformats builds, strings included', () => {
    for (let i = 0; i < 500; i++) {
      const data = randomBytes(rand, 500)
      for (const [codec, cid] of [
        [0x71, cidForCborBytes(data)],
        [0x55, cidForRaw(data)],
        [0x0129, cidForBytes(0x0129, data)], // two-byte codec (dag-json) takes the generic path
      ] as const) {
        const expected = CID.createV1(codec, createDigest(0x12, nobleSha256(data)))
        expect(cid.equals(expected)).toBe(true)
        expect(cid.bytes).toEqual(expected.bytes)
        expect(cid.multihash.bytes).toEqual(expected.multihash.bytes)
        expect(cid.multihash.digest).toEqual(expected.multihash.digest)
        expect(cid.toString()).toBe(expected.toString())
        expect(cid.toString()).toBe(cid.toString()) // cached
        expect(CID.parse(cid.toString()).equals(cid)).toBe(true)
        expect(cid.toString(base58btc)).toBe(expected.toString(base58btc))
        expect(CID.asCID(cid)).toBe(cid)
      }
    }
  })

  test('readSha256Cid parses v1 sha2-256 CIDs in place and declines anything else', () => {
    for (let i = 0; i < 200; i++) {
      const cid = cidForCborBytes(randomBytes(rand, 100))
      const padded = new Uint8Array(50)
      padded.set(cid.bytes, 7)
      const parsed = readSha256Cid(padded, 7)!
      expect(parsed.equals(cid)).toBe(true)
      expect(parsed.toString()).toBe(cid.toString())
      expect(parsed.multihash.digest).toEqual(cid.multihash.digest)
      expect(readSha256Cid(padded, 15)).toBeNull() // truncated
    }
    const base = cidForRaw(new Uint8Array([1])).bytes
    const variant = (at: number, value: number) => {
      const copy = base.slice()
      copy[at] = value
      return readSha256Cid(copy, 0)
    }
    expect(variant(0, 0)).toBeNull() // version
    expect(variant(1, 0x80)).toBeNull() // multi-byte codec
    expect(variant(2, 0x13)).toBeNull() // sha2-512
    expect(variant(3, 31)).toBeNull() // digest length
  })
})

describe('MST key helpers', () => {
  const rand = rng(2)
  const encoder = new TextEncoder()
  const referenceHeight = (key: string) => {
    const hash = nobleSha256(encoder.encode(key))
    let zeros = 0
    for (const byte of hash) {
      for (let shift = 6; shift >= 0; shift -= 2) {
        if (((byte >> shift) & 3) !== 0) return zeros
        zeros++
      }
    }
    return zeros
  }
  const VALID_PART = /^[a-zA-Z0-9_~\-:.]+$/
  const referenceValid = (key: string) => {
    if (key.length > 1024) return false
    const parts = key.split('/')
    return parts.length === 2 && VALID_PART.test(parts[0]!) && VALID_PART.test(parts[1]!)
  }
  const ALPHABET = 'ab/Z09_~-:.!/ é😀\u0000'

  test('keyHeight matches sha256 leading zero pairs', () => {
    for (let i = 0; i < 5000; i++) {
      const key = `com.example.record/${i.toString(36)}${ALPHABET[i % ALPHABET.length]}`
      expect(keyHeight(key)).toBe(referenceHeight(key))
    }
    expect(keyHeight('2653ae71')).toBe(0) // interop fixture heights
    expect(keyHeight('blue')).toBe(1)
    expect(keyHeight('app.bsky.feed.post/9adeb165882c')).toBe(8)
  })

  test('isValidMstKey agrees with the charset rule on random keys', () => {
    let valid = 0
    for (let i = 0; i < 20000; i++) {
      const length = Math.floor(rand() * 8)
      let key = ''
      for (let j = 0; j < length; j++) key += ALPHABET[Math.floor(rand() * ALPHABET.length)]
      expect(isValidMstKey(key)).toBe(referenceValid(key))
      if (referenceValid(key)) valid++
    }
    expect(valid).toBeGreaterThan(100)
    expect(isValidMstKey(`a/${'b'.repeat(1022)}`)).toBe(true)
    expect(isValidMstKey(`a/${'b'.repeat(1023)}`)).toBe(false)
  })
})
