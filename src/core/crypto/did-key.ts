// did:key and multibase forms of public keys (https://atproto.com/specs/cryptography).
// - Multikey / did:key: 'z' + base58btc(multicodec prefix + compressed key). DID documents put this
//   in `publicKeyMultibase` of a `Multikey` verification method; `did:key:` + it is the did:key.
// - Legacy form: 'z' + base58btc(compressed key), no prefix; older DID docs used it together with
//   the EcdsaSecp256k1VerificationKey2019 / EcdsaSecp256r1VerificationKey2019 suites.
import { base16, base16upper } from 'multiformats/bases/base16'
import { base32, base32upper } from 'multiformats/bases/base32'
import { base58btc } from 'multiformats/bases/base58'
import { base64, base64url, base64urlpad } from 'multiformats/bases/base64'
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

// The multibase encodings @atproto/crypto decodes in legacy-suite keys (Multikey itself is always 'z').
const MULTIBASES = [base16, base16upper, base32, base32upper, base58btc, base64, base64url, base64urlpad]

/** Decode a legacy multibase key (compressed or uncompressed point, any encoding in MULTIBASES); the
 *  algorithm comes from the DID document's suite, not the bytes. */
export function parseLegacyMultibase(jwtAlg: JwtAlg, multibase: string): Uint8Array {
  const base = MULTIBASES.find((b) => b.prefix === multibase[0])
  if (!base) throw new UnsupportedKeyError(`unsupported multibase prefix "${multibase.slice(0, 1)}"`)
  let bytes: Uint8Array
  try {
    bytes = base.decode(multibase)
  } catch {
    throw new UnsupportedKeyError('multibase key does not decode')
  }
  return compressPublicKey(curveForAlg(jwtAlg), bytes)
}
