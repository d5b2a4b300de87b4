// The two curves atproto allows, keyed by their JWT algorithm name, with their multicodec prefixes.
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'

export type JwtAlg = 'ES256K' | 'ES256'

export interface CurveInfo {
  jwtAlg: JwtAlg
  ecdsa: typeof secp256k1
  /** varint of the multicodec code: secp256k1-pub 0xe7, p256-pub 0x1200 */
  multicodecPrefix: Uint8Array
  /** DID document verification suite name used with the legacy (prefix-less) multibase form. */
  legacyDidDocSuite: string
}

export const SECP256K1: CurveInfo = {
  jwtAlg: 'ES256K',
  ecdsa: secp256k1,
  multicodecPrefix: new Uint8Array([0xe7, 0x01]),
  legacyDidDocSuite: 'EcdsaSecp256k1VerificationKey2019',
}

export const P256: CurveInfo = {
  jwtAlg: 'ES256',
  ecdsa: p256,
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
