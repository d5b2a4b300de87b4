// ES256K (secp256k1) JWS verification. jose verifies through WebCrypto, which has no secp256k1, so
// proofs and client assertions signed with ES256K are checked here with the project's core crypto.
// Only the signature and the key are checked; callers check the claims as they do for jose's results.
import { verifyWithPublicKey } from '../../core/crypto/index.ts'

export type JwsParts = { header: Record<string, unknown>; payload: Record<string, unknown> }

const B64URL = /^[A-Za-z0-9_-]*$/

function b64urlBytes(part: string, what: string): Uint8Array {
  if (!B64URL.test(part)) throw new Error(`Invalid ${what} encoding`)
  return new Uint8Array(Buffer.from(part, 'base64url'))
}

function b64urlJson(part: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b64urlBytes(part, what)))
  } catch {
    throw new Error(`Invalid ${what}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`Invalid ${what}`)
  return value as Record<string, unknown>
}

/** The protected header of a compact JWS, without verifying anything (to choose the verifier). */
export function peekJwsHeader(jws: string): Record<string, unknown> | null {
  const dot = jws.indexOf('.')
  if (dot <= 0) return null
  try {
    return b64urlJson(jws.slice(0, dot), 'header')
  } catch {
    return null
  }
}

/** The uncompressed point (0x04 || x || y) of a public secp256k1 JWK; throws when it is not one. */
export function secp256k1PublicKey(jwk: Record<string, unknown>): Uint8Array {
  if (jwk.kty !== 'EC' || jwk.crv !== 'secp256k1') throw new Error('Key is not a secp256k1 EC key')
  if ('d' in jwk) throw new Error('Key must be public')
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('Key coordinates missing')
  const x = b64urlBytes(jwk.x, 'key')
  const y = b64urlBytes(jwk.y, 'key')
  if (x.length !== 32 || y.length !== 32) throw new Error('Key coordinates must be 32 bytes')
  const point = new Uint8Array(65)
  point[0] = 0x04
  point.set(x, 1)
  point.set(y, 33)
  return point
}

/**
 * Verifies a compact ES256K JWS with the given public JWK. The signature is the JWS form (r || s,
 * 64 bytes); high-S signatures are valid JWS (RFC 7518 does not require low S), DER is not.
 */
export function verifyEs256kJws(jws: string, jwk: Record<string, unknown>): JwsParts {
  const parts = jws.split('.')
  if (parts.length !== 3) throw new Error('Invalid compact JWS')
  const [h, p, s] = parts as [string, string, string]
  const header = b64urlJson(h, 'header')
  if (header.alg !== 'ES256K') throw new Error('Unexpected "alg" header value')
  if (Array.isArray(header.crit)) throw new Error('Unsupported "crit" header')
  const publicKey = secp256k1PublicKey(jwk)
  const sig = b64urlBytes(s, 'signature')
  if (sig.length !== 64) throw new Error('Invalid signature length')
  const signingInput = new TextEncoder().encode(`${h}.${p}`)
  if (!verifyWithPublicKey('ES256K', publicKey, signingInput, sig, { allowMalleableSig: true })) {
    throw new Error('signature verification failed')
  }
  return { header, payload: b64urlJson(p, 'payload') }
}

/** jose's time checks for a short-lived JWT: iat required, not too old, not in the future; exp/nbf when present. */
export function checkJwtTimes(payload: Record<string, unknown>, opts: { maxAgeSec: number; toleranceSec: number; nowSec?: number }): void {
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000)
  const { iat, exp, nbf } = payload
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new Error('"iat" claim must be a number')
  if (iat - opts.toleranceSec > now) throw new Error('"iat" claim timestamp check failed (it should be in the past)')
  if (now - iat - opts.toleranceSec > opts.maxAgeSec) throw new Error('"iat" claim timestamp check failed (too far in the past)')
  if (exp !== undefined && (typeof exp !== 'number' || exp <= now - opts.toleranceSec)) throw new Error('"exp" claim timestamp check failed')
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + opts.toleranceSec)) throw new Error('"nbf" claim timestamp check failed')
}
