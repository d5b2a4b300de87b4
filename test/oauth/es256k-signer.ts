// secp256k1 (ES256K) JWS signing for tests, with @noble/curves: jose cannot sign ES256K on WebCrypto.
import { secp256k1 } from '@noble/curves/secp256k1.js'
import * as jose from 'jose'

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url')
const b64json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

export type K256Key = { secretKey: Uint8Array; jwk: { kty: 'EC'; crv: 'secp256k1'; x: string; y: string } }

export function newK256Key(): K256Key {
  const secretKey = secp256k1.utils.randomSecretKey()
  const point = secp256k1.getPublicKey(secretKey, false)
  return { secretKey, jwk: { kty: 'EC', crv: 'secp256k1', x: b64url(point.slice(1, 33)), y: b64url(point.slice(33)) } }
}

export const k256Thumbprint = (key: K256Key) => jose.calculateJwkThumbprint(key.jwk, 'sha256')

/** A compact JWS: ES256 over SHA-256 of the signing input, signature as r || s (64 bytes). */
export function signEs256k(secretKey: Uint8Array, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64json({ ...header, alg: 'ES256K' })}.${b64json(payload)}`
  const sig = secp256k1.sign(new TextEncoder().encode(input), secretKey, { prehash: true, format: 'compact' })
  return `${input}.${b64url(sig)}`
}
