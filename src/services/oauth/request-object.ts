// Request objects (RFC 9101, "JAR") pushed to PAR: the authorization parameters as the claims of a JWT.
// As the reference (oauth-provider Client.decodeRequestObject and OAuthProvider.decodeJAR): signed with one
// of the client's keys (iss = client_id, aud = this issuer), or unsigned ("none") only for a client whose
// metadata says request_object_signing_alg "none"; iat within 59 seconds; a jti used once. The request
// object's claims are the whole request: parameters sent beside it are not merged in.
import * as jose from 'jose'
import type { OAuthClient } from './client-metadata.ts'
import { SECOND } from './constants.ts'
import { JOSE_VERIFY_ALGOS } from './dpop.ts'
import { checkJwtTimes, peekJwsHeader, verifyEs256kJws } from './es256k.ts'
import { invalidRequest } from './errors.ts'
import type { OAuthStore } from '../../storage/oauth/store.ts'

/** RFC 9101 §10.2: "less than a minute". */
export const JAR_MAX_AGE = 59 * SECOND
/** The jti is remembered a little longer than the request object could be accepted. */
const JAR_REPLAY_WINDOW = Math.ceil(JAR_MAX_AGE * 1.1)

/** JWT claims that describe the request object itself, not authorization parameters. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'sub', 'iat', 'exp', 'nbf', 'jti'])
/** Not authorization parameters: a request object cannot nest or point at another one. */
const IGNORED = new Set(['request', 'request_uri'])

type Checks = { issuer: string; store: OAuthStore }

/** Verifies a request object and returns the authorization parameters it carries (as PAR form fields). */
export async function decodeRequestObject(client: OAuthClient, jar: string, checks: Checks): Promise<Record<string, string>> {
  let payload: Record<string, unknown>
  try {
    payload = client.metadata.request_object_signing_alg === 'none' ? decodeUnsecured(client, jar, checks.issuer) : await verifySigned(client, jar, checks.issuer)
  } catch (err) {
    throw invalidRequest(`Invalid "request" object: ${err instanceof Error ? err.message : 'unverifiable'}`)
  }
  const jti = payload.jti
  if (typeof jti !== 'string' || !jti) throw invalidRequest('Request object payload must contain a "jti" claim')
  if (!checks.store.unique('jar', `${client.id}:${jti}`, Date.now() + JAR_REPLAY_WINDOW)) throw invalidRequest('Request object was replayed')
  return requestParameters(payload)
}

/** The claims that are authorization parameters; each must be a string, as in a PAR form. */
function requestParameters(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(key) || IGNORED.has(key)) continue
    if (typeof value !== 'string') throw invalidRequest(`Invalid parameters in JAR: "${key}" must be a string`)
    out[key] = value
  }
  return out
}

/** alg "none": no signature; iss and aud may be missing but must be right when present (as the reference). */
function decodeUnsecured(client: OAuthClient, jar: string, issuer: string): Record<string, unknown> {
  const { payload } = jose.UnsecuredJWT.decode(jar, { maxTokenAge: JAR_MAX_AGE / 1000 })
  if (payload.iss !== undefined && payload.iss !== client.id) throw new Error(`Invalid "iss" claim "${payload.iss}"`)
  if (payload.aud !== undefined && !audienceIncludes(payload.aud, issuer)) throw new Error(`Invalid "aud" claim "${payload.aud}"`)
  return payload
}

async function verifySigned(client: OAuthClient, jar: string, issuer: string): Promise<Record<string, unknown>> {
  const registeredAlg = client.metadata.request_object_signing_alg
  const alg = peekJwsHeader(jar)?.alg
  if (alg === 'ES256K' && (registeredAlg === undefined || registeredAlg === 'ES256K')) return verifyEs256k(client, jar, issuer)
  const { payload } = await jose.jwtVerify(jar, jose.createLocalJWKSet(client.jwks ?? { keys: [] }), {
    issuer: client.id,
    audience: issuer,
    maxTokenAge: JAR_MAX_AGE / 1000,
    // Any algorithm both sides support unless the client registered one (OpenID Connect Registration §2).
    algorithms: registeredAlg ? [registeredAlg] : JOSE_VERIFY_ALGOS,
  })
  return payload
}

/** jose cannot verify secp256k1 on WebCrypto: the same checks, with the key named by kid (or the only one). */
function verifyEs256k(client: OAuthClient, jar: string, issuer: string): Record<string, unknown> {
  const kid = peekJwsHeader(jar)?.kid
  const candidates = (client.jwks?.keys ?? []).filter(
    (k) => k.kty === 'EC' && k.crv === 'secp256k1' && (kid === undefined || k.kid === kid) && (k.use === undefined || k.use === 'sig') && (k.alg === undefined || k.alg === 'ES256K'),
  )
  if (candidates.length === 0) throw new Error('no applicable key found in the JSON Web Key Set')
  if (candidates.length > 1) throw new Error('multiple matching keys found in the JSON Web Key Set')
  const { payload } = verifyEs256kJws(jar, candidates[0] as Record<string, unknown>)
  if (payload.iss !== client.id) throw new Error('unexpected "iss" claim value')
  if (!audienceIncludes(payload.aud, issuer)) throw new Error('unexpected "aud" claim value')
  checkJwtTimes(payload, { maxAgeSec: JAR_MAX_AGE / 1000, toleranceSec: 0 })
  return payload
}

function audienceIncludes(aud: unknown, issuer: string): boolean {
  return aud === issuer || (Array.isArray(aud) && aud.includes(issuer))
}
