// did:key and multibase forms of public keys (https://atproto.com/specs/cryptography).
// - Multikey / did:key: 'z' + base58btc(multicodec prefix + compressed key). DID documents put this
//   in `publicKeyMultibase` of a `Multikey` verification method; `did:key:` + it is the did:key.
// - Legacy form: 'z' + base58btc(compressed key), no prefix; older DID docs used it together with
//   the EcdsaSecp256k1VerificationKey2019 / EcdsaSecp256r1VerificationKey2019 suites.
import { base58btc } from 'multiformats/bases/base58'
import { compressPublicKey, CURVES, curveForAlg, UnsupportedKeyError, type JwtAlg } from './curves.ts'

export const DID_KEY_PREFIX = 'did:key:'

export interface ParsedPublicKey {
  jwtAlg: JwtAlg
  /** compressed, 33 bytes */
  publicKey: Uint8Array
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.every((b, i) => bytes[i] === b)
}

/** 'z...' multibase with the multicodec prefix (the Multikey form). */
export function formatMultikey(jwtAlg: JwtAlg, publicKey: Uint8Array): string {
  const curve = curveForAlg(jwtAlg)
  const key = compressPublicKey(curve, publicKey)
  const prefixed = new Uint8Array(curve.multicodecPrefix.length + key.length)
  prefixed.set(curve.multicodecPrefix)
  prefixed.set(key, curve.multicodecPrefix.length)
  return base58btc.encode(prefixed)
}

export function parseMultikey(multikey: string): ParsedPublicKey {
  if (!multikey.startsWith('z')) throw new UnsupportedKeyError('multikey must be base58btc ("z" prefix)')
  let bytes: Uint8Array
  try {
    bytes = base58btc.decode(multikey)
  } catch {
    throw new UnsupportedKeyError('multikey is not valid base58btc')
  }
  for (const curve of CURVES) {
    if (startsWith(bytes, curve.multicodecPrefix)) {
      const publicKey = compressPublicKey(curve, bytes.subarray(curve.multicodecPrefix.length))
      return { jwtAlg: curve.jwtAlg, publicKey }
    }
  }
  throw new UnsupportedKeyError('multikey has an unsupported multicodec prefix')
}

export function formatDidKey(jwtAlg: JwtAlg, publicKey: Uint8Array): string {
  return DID_KEY_PREFIX + formatMultikey(jwtAlg, publicKey)
}

export function parseDidKey(did: string): ParsedPublicKey {
  if (!did.startsWith(DID_KEY_PREFIX)) throw new UnsupportedKeyError('not a did:key')
  return parseMultikey(did.slice(DID_KEY_PREFIX.length))
}

/** 'z' + base58btc of the bare compressed key (legacy DID document form, no multicodec prefix). */
export function formatLegacyMultibase(jwtAlg: JwtAlg, publicKey: Uint8Array): string {
  return base58btc.encode(compressPublicKey(curveForAlg(jwtAlg), publicKey))
}

/** Decode a legacy multibase key; the algorithm comes from the DID document's suite, not the bytes. */
export function parseLegacyMultibase(jwtAlg: JwtAlg, multibase: string): Uint8Array {
  if (!multibase.startsWith('z')) throw new UnsupportedKeyError('multibase key must be base58btc ("z" prefix)')
  return compressPublicKey(curveForAlg(jwtAlg), base58btc.decode(multibase))
}
