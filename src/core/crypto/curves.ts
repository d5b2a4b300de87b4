// The two curves atproto allows, keyed by their JWT algorithm name, with their multicodec prefixes.
import { ecdsa } from '@noble/curves/abstract/weierstrass.js'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'

export type JwtAlg = 'ES256K' | 'ES256'

export interface CurveInfo {
  jwtAlg: JwtAlg
  ecdsa: typeof secp256k1
  /** varint of the multicodec code: secp256k1-pub 0xe7, p256-pub 0x1200 */
  multicodecPrefix: Uint8Array
  /** DID document verification suite name used with the legacy (prefix-less) multibase form. */
  legacyDidDocSuite: string
}

// The stock noble instances with Bun's native sha256 and HMAC-sha256 for the message prehash
// and the RFC 6979 nonce: the same deterministic signatures, several times less hashing cost.
const nativeSha256 = Object.assign((message: Uint8Array) => Bun.SHA256.hash(message, new Uint8Array(32)) as Uint8Array, {
  outputLen: sha256.outputLen,
  blockLen: sha256.blockLen,
  canXOF: sha256.canXOF,
  oid: sha256.oid,
  create: sha256.create,
}) as unknown as typeof sha256

function nativeHmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const digest = new Bun.CryptoHasher('sha256', key).update(message).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

function withNativeHashing(curve: typeof secp256k1): typeof secp256k1 {
  // A larger precomputed window for the base point makes k*G (every signature) cheaper;
  // it changes no result. Computed once, at first use.
  curve.Point.BASE.precompute(8)
  return ecdsa(curve.Point, nativeSha256, { hmac: nativeHmacSha256 })
}

export const SECP256K1: CurveInfo = {
  jwtAlg: 'ES256K',
  ecdsa: withNativeHashing(secp256k1),
  multicodecPrefix: new Uint8Array([0xe7, 0x01]),
  legacyDidDocSuite: 'EcdsaSecp256k1VerificationKey2019',
}

export const P256: CurveInfo = {
  jwtAlg: 'ES256',
  ecdsa: withNativeHashing(p256),
  multicodecPrefix: new Uint8Array([0x80, 0x24]),
  legacyDidDocSuite: 'EcdsaSecp256r1VerificationKey2019',
}

export const CURVES: readonly CurveInfo[] = [SECP256K1, P256]

export function curveForAlg(jwtAlg: string): CurveInfo {
  const curve = CURVES.find((c) => c.jwtAlg === jwtAlg)
  if (!curve) throw new UnsupportedKeyError(`unsupported key algorithm: ${jwtAlg}`)
  return curve
}

export class UnsupportedKeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnsupportedKeyError'
  }
}

/** Compressed (33-byte) form of a public key given compressed or uncompressed. */
export function compressPublicKey(curve: CurveInfo, key: Uint8Array): Uint8Array {
  if (key.length === 33) {
    curve.ecdsa.Point.fromBytes(key) // throws when not on the curve
    return key
  }
  if (key.length === 65) return curve.ecdsa.Point.fromBytes(key).toBytes(true)
  throw new UnsupportedKeyError(`public key must be 33 or 65 bytes, got ${key.length}`)
}
