// Session JWTs (HS256 with PDS_JWT_SECRET) with the reference's claims and `typ` headers.
import * as jose from 'jose'
import { randomBytes } from 'node:crypto'
import { AuthScope } from './scopes.ts'
import { invalidInput, authRequired } from '../errors.ts'

export const ACCESS_TTL = '120mins'
export const REFRESH_TTL = '90days'

export type TokenKey = Uint8Array

export function jwtKey(secret: string): TokenKey {
  return new TextEncoder().encode(secret)
}

export function newRefreshTokenId(): string {
  return randomBytes(32).toString('base64')
}

/** appPassScope: a scoped app password's OAuth-style scope, carried beside the legacy `scope` claim. */
export async function createAccessToken(key: TokenKey, opts: { did: string; serviceDid: string; scope: string; appPassScope?: string | null }): Promise<string> {
  return new jose.SignJWT(opts.appPassScope ? { scope: opts.scope, appPassScope: opts.appPassScope } : { scope: opts.scope })
    .setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' })
    .setAudience(opts.serviceDid)
    .setSubject(opts.did)
    .setIssuedAt()
    .setExpirationTime(ACCESS_TTL)
    .sign(key)
}

export async function createRefreshToken(key: TokenKey, opts: { did: string; serviceDid: string; jti: string }): Promise<string> {
  return new jose.SignJWT({ scope: AuthScope.Refresh })
    .setProtectedHeader({ typ: 'refresh+jwt', alg: 'HS256' })
    .setAudience(opts.serviceDid)
    .setSubject(opts.did)
    .setJti(opts.jti)
    .setIssuedAt()
    .setExpirationTime(REFRESH_TTL)
    .sign(key)
}

export type VerifiedToken = { sub: string; aud: string; scope: string; jti?: string; exp: number; appPassScope?: string }

/**
 * Payloads of tokens whose signature, typ, audience and nbf jose already accepted, per signing key,
 * so a client's every request does not pay for the HMAC again (crypto.subtle is async and slow).
 * Only `exp` changes with time, and it is re-checked on every hit exactly as jose does; the
 * caller's account checks run on every request as before. Bounded, least recently used first out.
 */
const VERIFIED_CACHE_SIZE = 1000
const verifiedTokens = new WeakMap<TokenKey, Map<string, jose.JWTPayload>>()

function cachedPayload(key: TokenKey, cacheKey: string): jose.JWTPayload | undefined {
  const cache = verifiedTokens.get(key)
  const payload = cache?.get(cacheKey)
  if (!cache || !payload) return undefined
  // jose: expired when exp <= now (whole seconds, no clock tolerance).
  if (payload.exp !== undefined && payload.exp <= Math.floor(Date.now() / 1000)) {
    cache.delete(cacheKey)
    throw invalidInput('Token has expired', 'ExpiredToken')
  }
  cache.delete(cacheKey)
  cache.set(cacheKey, payload)
  return payload
}

function rememberPayload(key: TokenKey, cacheKey: string, payload: jose.JWTPayload): void {
  let cache = verifiedTokens.get(key)
  if (!cache) verifiedTokens.set(key, (cache = new Map()))
  cache.set(cacheKey, payload)
  if (cache.size > VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!)
}

/** jose verification plus the reference's payload checks; errors carry the reference's names. */
export async function verifyBearer(
  key: TokenKey,
  token: string,
  opts: { typ: 'at+jwt' | 'refresh+jwt'; audience: string; scopes: readonly string[] },
): Promise<VerifiedToken> {
  const cacheKey = `${opts.typ} ${opts.audience} ${token}`
  let payload = cachedPayload(key, cacheKey)
  if (!payload) {
    try {
      ;({ payload } = await jose.jwtVerify(token, key, { typ: opts.typ, audience: opts.audience, algorithms: ['HS256'] }))
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired) throw invalidInput('Token has expired', 'ExpiredToken')
      throw invalidInput('Token could not be verified', 'InvalidToken')
    }
    rememberPayload(key, cacheKey, payload)
  }
  const { sub, aud, scope, jti, exp } = payload as jose.JWTPayload & { scope?: unknown; lxm?: unknown; cnf?: unknown }
  const malformed = () => invalidInput('Malformed token', 'InvalidToken')
  if ((payload as { lxm?: unknown }).lxm !== undefined || (payload as { cnf?: unknown }).cnf !== undefined) throw malformed()
  if (typeof sub !== 'string' || !sub.startsWith('did:')) throw malformed()
  if (typeof aud !== 'string' || !aud.startsWith('did:')) throw malformed()
  if (jti !== undefined && typeof jti !== 'string') throw malformed()
  if (typeof scope !== 'string' || !opts.scopes.includes(scope)) throw invalidInput('Bad token scope', 'InvalidToken')
  const { appPassScope } = payload as { appPassScope?: unknown }
  if (appPassScope !== undefined && (typeof appPassScope !== 'string' || scope !== AuthScope.AppPass)) throw malformed()
  return { sub, aud, scope, jti, exp: exp ?? 0, ...(appPassScope !== undefined && { appPassScope }) }
}

export const authMissing = () => authRequired(undefined, 'AuthMissing')
