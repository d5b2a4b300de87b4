// DPoP (RFC 9449): proof verification (signature, htm/htu/iat/jti, ath) and rotating server nonces.
import * as jose from 'jose'
import { DPOP_NONCE_MAX_AGE } from './constants.ts'
import { OAuthError } from './errors.ts'
import { checkJwtTimes, peekJwsHeader, verifyEs256kJws } from './es256k.ts'
import type { OAuthStore } from '../../storage/oauth/store.ts'
import { b64url, constantTimeEqual, hmac, sha256b64url } from './util.ts'

/** What we accept and advertise for DPoP proofs and client assertions: the reference's list (lib/util/crypto.ts). */
export const VERIFY_ALGOS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES256K', 'ES384', 'ES512']
/** The ones jose verifies through WebCrypto; ES256K (no secp256k1 there) goes through es256k.ts. */
export const JOSE_VERIFY_ALGOS = VERIFY_ALGOS.filter((a) => a !== 'ES256K')

/** A proof that fails verification: the edge answers 401 with a DPoP challenge (the reference's InvalidDpopProofError). */
export const invalidDpopProof = (msg: string) => new OAuthError('invalid_dpop_proof', msg)

const PROOF_MAX_AGE_SEC = 60
const CLOCK_TOLERANCE_SEC = 10

/**
 * Nonces are an HMAC of a 1-minute counter: stateless, shared by every process with the same secret,
 * and accepted for the previous, current and next step (so at most ~3 minutes old).
 */
export class DpopNonces {
  private readonly step = DPOP_NONCE_MAX_AGE / 3

  constructor(
    private readonly secret: Uint8Array | string,
    private readonly now: () => number = Date.now,
  ) {}

  private forCounter(counter: number) {
    return b64url(hmac(this.secret, `dpop-nonce:${counter}`))
  }

  next(): string {
    return this.forCounter(Math.floor(this.now() / this.step))
  }

  check(nonce: string): boolean {
    const counter = Math.floor(this.now() / this.step)
    return [counter - 1, counter, counter + 1].some((c) => constantTimeEqual(this.forCounter(c), nonce))
  }
}

export type DpopProof = { jkt: string; jti: string; htm: string; htu: string }

/** The URL a proof's htu must name: scheme, host and path only (RFC 9449 §4.3). */
export function normalizeHtu(url: string): string | null {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return null
  }
}

export class DpopVerifier {
  constructor(
    readonly nonces: DpopNonces,
    private readonly store: OAuthStore,
  ) {}

  /**
   * Verifies a request's DPoP header (`header`, null when absent): one proof, signed by its embedded
   * public key, for this method and URL, fresh, never seen before, with a current nonce (and `ath`
   * when a token is sent). Throws invalid_dpop_proof or use_dpop_nonce.
   */
  async verify(header: string | null, opts: { method: string; htu: string | string[]; accessToken?: string }): Promise<DpopProof | null> {
    const fail = invalidDpopProof
    if (header === null) return null
    if (!header || header.includes(',')) throw fail('Expected exactly one DPoP proof')

    let payload: jose.JWTPayload
    let protectedHeader: jose.JWTHeaderParameters
    try {
      ;({ payload, protectedHeader } = await verifyProofSignature(header))
    } catch (err) {
      throw fail(`Invalid DPoP proof (${err instanceof Error ? err.message : 'unverifiable'})`)
    }
    const jwk = protectedHeader.jwk as jose.JWK
    if ('d' in jwk) throw fail('DPoP proof must not embed a private key')
    const { jti, htm, htu, iat, ath } = payload as jose.JWTPayload & { htm?: unknown; htu?: unknown; ath?: unknown }
    if (typeof jti !== 'string' || jti.length < 8 || jti.length > 256) throw fail('Invalid or missing jti in DPoP proof')
    if (typeof iat !== 'number') throw fail('Missing iat in DPoP proof')
    if (htm !== opts.method) throw fail('DPoP htm mismatch')
    const allowed = (Array.isArray(opts.htu) ? opts.htu : [opts.htu]).map(normalizeHtu)
    if (typeof htu !== 'string' || normalizeHtu(htu) !== htu || !allowed.includes(htu)) throw fail('DPoP htu mismatch')
    if (opts.accessToken !== undefined) {
      if (typeof ath !== 'string' || !constantTimeEqual(ath, sha256b64url(opts.accessToken))) throw fail('DPoP ath mismatch')
    } else if (ath !== undefined) {
      throw fail('DPoP ath not allowed here')
    }
    // Nonce before replay: a proof refused for its nonce does not burn its jti for the retry.
    const proofNonce = (payload as { nonce?: unknown }).nonce
    if (typeof proofNonce !== 'string' || !this.nonces.check(proofNonce)) {
      throw new OAuthError('use_dpop_nonce', 'Authorization server requires nonce in DPoP proof')
    }
    const jkt = await jose.calculateJwkThumbprint(jwk, 'sha256')
    const expiresAt = (iat + PROOF_MAX_AGE_SEC + CLOCK_TOLERANCE_SEC) * 1000 + 1000
    if (!this.store.unique('dpop', `${jkt}:${jti}`, Math.max(expiresAt, Date.now() + 1000))) throw fail('DPoP proof replayed')
    return { jkt, jti, htm, htu }
  }
}

/** Signature (by the embedded key), typ and age of a proof: jose for WebCrypto algorithms, core crypto for ES256K. */
async function verifyProofSignature(proof: string): Promise<{ payload: jose.JWTPayload; protectedHeader: jose.JWTHeaderParameters }> {
  if (peekJwsHeader(proof)?.alg !== 'ES256K') {
    return jose.jwtVerify(proof, jose.EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: JOSE_VERIFY_ALGOS,
      maxTokenAge: PROOF_MAX_AGE_SEC,
      clockTolerance: CLOCK_TOLERANCE_SEC,
    })
  }
  const jwk = peekJwsHeader(proof)?.jwk
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw new Error('"jwk" (JSON Web Key) Header Parameter must be a JSON object')
  const { header, payload } = verifyEs256kJws(proof, jwk as Record<string, unknown>)
  if (header.typ !== 'dpop+jwt') throw new Error('unexpected "typ" JWT header value')
  checkJwtTimes(payload, { maxAgeSec: PROOF_MAX_AGE_SEC, toleranceSec: CLOCK_TOLERANCE_SEC })
  return { payload: payload as jose.JWTPayload, protectedHeader: header as jose.JWTHeaderParameters }
}
