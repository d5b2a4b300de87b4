// ES256K JWS verification on core crypto (jose's WebCrypto has no secp256k1).
import { describe, expect, test } from 'bun:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { checkJwtTimes, peekJwsHeader, verifyEs256kJws } from '../../src/services/oauth/es256k.ts'
import { newK256Key, signEs256k } from './es256k-signer.ts'

const now = () => Math.floor(Date.now() / 1000)

describe('verifyEs256kJws', () => {
  test('accepts a JWS signed by the key, and returns header and payload', () => {
    const key = newK256Key()
    const jws = signEs256k(key.secretKey, { typ: 'dpop+jwt', jwk: key.jwk }, { htm: 'POST', iat: now() })
    expect(peekJwsHeader(jws)?.alg).toBe('ES256K')
    const { header, payload } = verifyEs256kJws(jws, key.jwk)
    expect(header.typ).toBe('dpop+jwt')
    expect(payload.htm).toBe('POST')
  })

  test('rejects another key, a changed payload, and a private JWK', () => {
    const key = newK256Key()
    const other = newK256Key()
    const jws = signEs256k(key.secretKey, {}, { a: 1 })
    expect(() => verifyEs256kJws(jws, other.jwk)).toThrow('signature verification failed')
    const [h, , s] = jws.split('.')
    const changed = `${h}.${Buffer.from(JSON.stringify({ a: 2 })).toString('base64url')}.${s}`
    expect(() => verifyEs256kJws(changed, key.jwk)).toThrow('signature verification failed')
    const priv = { ...key.jwk, d: Buffer.from(key.secretKey).toString('base64url') }
    expect(() => verifyEs256kJws(jws, priv)).toThrow('Key must be public')
    expect(() => verifyEs256kJws(jws, { ...key.jwk, crv: 'P-256' })).toThrow('secp256k1')
  })

  test('accepts the high-S form of a signature (valid JWS) but not DER', () => {
    const key = newK256Key()
    const jws = signEs256k(key.secretKey, {}, { a: 1 })
    const [h, p, s] = jws.split('.') as [string, string, string]
    const sig = secp256k1.Signature.fromBytes(Buffer.from(s, 'base64url'), 'compact')
    const highS = new secp256k1.Signature(sig.r, secp256k1.Point.CURVE().n - sig.s)
    expect(verifyEs256kJws(`${h}.${p}.${Buffer.from(highS.toBytes('compact')).toString('base64url')}`, key.jwk).payload.a).toBe(1)
    const der = Buffer.from(sig.toBytes('der')).toString('base64url')
    expect(() => verifyEs256kJws(`${h}.${p}.${der}`, key.jwk)).toThrow('Invalid signature length')
  })

  test('refuses another alg in the header', () => {
    const key = newK256Key()
    const [, p, s] = signEs256k(key.secretKey, {}, { a: 1 }).split('.')
    const h = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url')
    expect(() => verifyEs256kJws(`${h}.${p}.${s}`, key.jwk)).toThrow('alg')
  })
})

describe('checkJwtTimes', () => {
  const opts = { maxAgeSec: 60, toleranceSec: 10, nowSec: 1_000_000 }
  test('fresh tokens pass; old, future, expired and not-yet-valid ones do not', () => {
    expect(() => checkJwtTimes({ iat: 1_000_000 }, opts)).not.toThrow()
    expect(() => checkJwtTimes({ iat: 1_000_000 - 70 }, opts)).not.toThrow()
    expect(() => checkJwtTimes({ iat: 1_000_000 - 71 }, opts)).toThrow('too far in the past')
    expect(() => checkJwtTimes({ iat: 1_000_011 }, opts)).toThrow('in the past')
    expect(() => checkJwtTimes({}, opts)).toThrow('"iat"')
    expect(() => checkJwtTimes({ iat: 1_000_000, exp: 999_990 }, opts)).toThrow('"exp"')
    expect(() => checkJwtTimes({ iat: 1_000_000, nbf: 1_000_011 }, opts)).toThrow('"nbf"')
  })
})
