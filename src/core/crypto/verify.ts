// Signature verification. atproto is strict by default: 64-byte compact signatures with low S only,
// so each message has exactly one valid signature per key (no malleability, no DER).
import { compressPublicKey, curveForAlg, type JwtAlg } from './curves.ts'
import { parseDidKey } from './did-key.ts'

export interface VerifyOptions {
  /** Also accept high-S and DER-encoded signatures (some legacy data has them). Default false. */
  allowMalleableSig?: boolean
}

export function sha256(data: Uint8Array): Uint8Array {
  return Bun.SHA256.hash(data, new Uint8Array(32)) as Uint8Array
}

/** Verify `sig` over `data` with a raw public key (33 or 65 bytes) of the given algorithm. */
export function verifyWithPublicKey(
  jwtAlg: JwtAlg,
  publicKey: Uint8Array,
  data: Uint8Array,
  sig: Uint8Array,
  opts: VerifyOptions = {},
): boolean {
  const curve = curveForAlg(jwtAlg)
  let key: Uint8Array
  try {
    key = compressPublicKey(curve, publicKey)
  } catch {
    return false
  }
  const check = (format: 'compact' | 'der', lowS: boolean) => {
    try {
      return curve.ecdsa.verify(sig, data, key, { prehash: true, lowS, format })
    } catch {
      return false
    }
  }
  if (!opts.allowMalleableSig) return sig.length === 64 && check('compact', true)
  return sig.length === 64 ? check('compact', false) : check('der', false)
}

/** Verify `sig` over `data` against a did:key. Unsupported or malformed keys give false. */
export function verifySignature(didKey: string, data: Uint8Array, sig: Uint8Array, opts: VerifyOptions = {}): boolean {
  let parsed
  try {
    parsed = parseDidKey(didKey)
  } catch {
    return false
  }
  return verifyWithPublicKey(parsed.jwtAlg, parsed.publicKey, data, sig, opts)
}
