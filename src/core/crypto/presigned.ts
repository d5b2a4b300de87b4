// ECDSA over secp256k1 with its nonce made ahead of time. A signature of hash z by key d is
// r = (k·G).x mod n and s = k⁻¹·(z + r·d) mod n: everything costly (the point multiplication k·G and
// the inversion of k) depends only on the random nonce k, not on the message, so it can be done
// before the message exists, while the event loop would otherwise wait (src/services/repo/nonce-pool.ts);
// the signature itself is then two modular multiplications (~1 µs instead of ~45-110 µs).
// ECDSA stays secure as long as each k is secret, uniformly random and used once: k comes from the
// OS's CSPRNG (as noble's own key generation), lives only in memory like the private keys, and a
// nonce is handed out once (NoncePool.take). RFC 6979's deterministic k guards against a broken
// random generator; nothing in atproto depends on signatures being deterministic.
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToNumberBE } from '@noble/curves/utils.js'

const Fn = secp256k1.Point.Fn
const HALF_ORDER = Fn.ORDER >> 1n

/** What a signature needs of its nonce k: r = (k·G).x mod n and k⁻¹ mod n (k itself is dropped). */
export type PresignedNonce = { readonly r: bigint; readonly kInverse: bigint }

/**
 * A fresh nonce. `multiplyBase` gives k·G as a compressed point (33 bytes) faster than noble where it
 * can (libsecp256k1); without it, or when it answers null, noble computes it.
 */
export function makeSecp256k1Nonce(multiplyBase?: (k: Uint8Array) => Uint8Array | null): PresignedNonce {
  for (;;) {
    const k = secp256k1.utils.randomSecretKey()
    const point = multiplyBase?.(k) ?? secp256k1.getPublicKey(k, true)
    const r = Fn.create(bytesToNumberBE(point.subarray(1)))
    // r = 0 happens with probability ~2^-256; ECDSA then takes another k.
    if (r !== 0n) return { r, kInverse: Fn.inv(Fn.fromBytes(k)) }
  }
}

/**
 * The 64-byte compact low-S signature (r||s) of a 32-byte sha256 `hash` by `privateKey` (the scalar
 * d) with a nonce nobody used before; null in the (~2^-256) case s = 0, when another nonce must sign.
 */
export function signWithNonce(hash: Uint8Array, privateKey: bigint, nonce: PresignedNonce): Uint8Array | null {
  // bits2int of a 256-bit hash is the hash itself; reduced mod n as ECDSA (and noble) does.
  const z = Fn.create(bytesToNumberBE(hash))
  let s = Fn.mul(nonce.kInverse, Fn.add(z, Fn.mul(nonce.r, privateKey)))
  if (s === 0n) return null
  // atproto accepts low-S signatures only; (r, n - s) is the same signature's other form.
  if (s > HALF_ORDER) s = Fn.neg(s)
  const signature = new Uint8Array(64)
  signature.set(Fn.toBytes(nonce.r), 0)
  signature.set(Fn.toBytes(s), 32)
  return signature
}

/** A private key's scalar, for signWithNonce. */
export function secp256k1Scalar(privateKey: Uint8Array): bigint {
  return Fn.fromBytes(privateKey)
}
