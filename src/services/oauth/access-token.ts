// OAuth access tokens: short JWTs (typ at+jwt) bound to the client's DPoP key through cnf.jkt.
// Signed with a key derived from PDS_JWT_SECRET, distinct from the legacy session-token key, so that
// neither kind of token can pass for the other.
import * as jose from 'jose'
import { TOKEN_MAX_AGE } from './constants.ts'
import { hmac, nowSec } from './util.ts'

export type AccessTokenClaims = {
  iss: string
  aud: string
  sub: string
  jti: string
  scope: string
  client_id: string
  cnf: { jkt: string }
  iat: number
  exp: number
}

export const deriveAccessTokenKey = (jwtSecret: string) => new Uint8Array(hmac(jwtSecret, 'pds-oauth-access-token-v1'))

export async function signAccessToken(
  key: Uint8Array,
  claims: Omit<AccessTokenClaims, 'iat' | 'exp'>,
): Promise<{ token: string; expiresIn: number }> {
  const iat = nowSec()
  const expiresIn = TOKEN_MAX_AGE / 1000
  const token = await new jose.SignJWT({ ...claims, iat, exp: iat + expiresIn })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .sign(key)
  return { token, expiresIn }
}

/** Verifies signature, type, issuer, audience and expiry; null when the token is not ours or is stale. */
export async function readAccessToken(key: Uint8Array, token: string, opts: { issuer: string; audience: string }) {
  try {
    const { payload } = await jose.jwtVerify(token, key, {
      algorithms: ['HS256'],
      typ: 'at+jwt',
      issuer: opts.issuer,
      audience: opts.audience,
    })
    const p = payload as Partial<AccessTokenClaims>
    if (typeof p.sub !== 'string' || typeof p.jti !== 'string' || typeof p.scope !== 'string' || typeof p.cnf?.jkt !== 'string') {
      return { ok: false as const, reason: 'Malformed token' }
    }
    return { ok: true as const, claims: p as AccessTokenClaims }
  } catch (err) {
    if (err instanceof jose.errors.JWTExpired) return { ok: false as const, reason: 'Token has expired', expired: true }
    return { ok: false as const, reason: 'Token could not be verified' }
  }
}
