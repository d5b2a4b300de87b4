// Inter-service JWTs (atproto "service auth"): ES256K/ES256 signed by the issuer's DID key, short-lived,
// bound to one audience (`aud`) and one XRPC method (`lxm`). Same claims and error names as the reference
// (xrpc-server auth.ts) so that other implementations accept ours and vice versa.
import { randomBytes } from 'node:crypto'
import { parseDidKey, verifySignature, type Keypair } from '../../core/crypto/index.ts'
import { authRequired } from '../errors.ts'

export type ServiceJwtPayload = {
  iss: string
  aud: string
  exp: number
  iat?: number
  lxm?: string
  jti?: string
}

export type CreateServiceJwtParams = {
  iss: string
  aud: string
  /** The XRPC method the token may call; null only for legacy callers that cannot say. */
  lxm: string | null
  keypair: Keypair
  /** Expiry in seconds since the epoch; defaults to 60 s from now. */
  exp?: number
  iat?: number
}

const encoder = new TextEncoder()
const b64url = (data: Uint8Array | string) => Buffer.from(typeof data === 'string' ? encoder.encode(data) : data).toString('base64url')

export function createServiceJwt(params: CreateServiceJwtParams): string {
  const iat = params.iat ?? Math.floor(Date.now() / 1000)
  const exp = params.exp ?? iat + 60
  const header = { typ: 'JWT', alg: params.keypair.jwtAlg }
  const payload: ServiceJwtPayload = { iat, iss: params.iss, aud: params.aud, exp }
  if (params.lxm !== null) payload.lxm = params.lxm
  payload.jti = randomBytes(16).toString('hex')
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  const sig = params.keypair.sign(encoder.encode(signingInput))
  return `${signingInput}.${b64url(sig)}`
}

export type VerifyServiceJwtOptions = {
  /** This service's DID (or DID#service); null skips the audience check. */
  aud: string | null
  /** The method being called; null skips the lxm check. */
  lxm: string | null
  /** The issuer's did:key; forceRefresh bypasses caches (called again after a signature mismatch). */
  resolveDidKey: (iss: string, forceRefresh: boolean) => Promise<string>
}

const bad = (message: string, error: string) => authRequired(message, error)

function parseSegment(segment: string | undefined): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'))
    if (value && typeof value === 'object' && !Array.isArray(value)) return value
  } catch {
    // fall through
  }
  throw bad('poorly formatted jwt', 'BadJwt')
}

/** Checks format, type, expiry, audience, method, then the signature (retrying once with a fresh key). */
export async function verifyServiceJwt(token: string, opts: VerifyServiceJwtOptions): Promise<ServiceJwtPayload> {
  const parts = token.split('.')
  if (parts.length !== 3) throw bad('poorly formatted jwt', 'BadJwt')
  const header = parseSegment(parts[0])
  // Access, refresh and DPoP tokens must never pass as service tokens.
  if (header.typ === 'at+jwt' || header.typ === 'refresh+jwt' || header.typ === 'dpop+jwt') {
    throw bad(`Invalid jwt type "${String(header.typ)}"`, 'BadJwtType')
  }
  const payload = parseSegment(parts[1])
  if (typeof payload.exp !== 'number' || typeof payload.iss !== 'string') throw bad('poorly formatted jwt', 'BadJwt')
  if (payload.aud !== undefined && typeof payload.aud !== 'string') throw bad('poorly formatted jwt', 'BadJwt')
  if (payload.lxm !== undefined && typeof payload.lxm !== 'string') throw bad('poorly formatted jwt', 'BadJwt')
  if (Date.now() / 1000 > payload.exp) throw bad('jwt expired', 'JwtExpired')
  if (opts.aud !== null && payload.aud !== opts.aud) throw bad('jwt audience does not match service did', 'BadJwtAudience')
  if (opts.lxm !== null && payload.lxm !== opts.lxm) {
    const what = payload.lxm !== undefined ? 'bad' : 'missing'
    throw bad(`${what} jwt lexicon method ("lxm"). must match: ${opts.lxm}`, 'BadJwtLexiconMethod')
  }
  const signingInput = encoder.encode(`${parts[0]}.${parts[1]}`)
  const sig = new Uint8Array(Buffer.from(parts[2]!, 'base64url'))
  const check = (didKey: string) => {
    let alg: string
    try {
      alg = parseDidKey(didKey).jwtAlg
    } catch {
      throw bad('could not verify jwt signature', 'BadJwtSignature')
    }
    if (typeof header.alg === 'string' && header.alg !== alg) throw bad('could not verify jwt signature', 'BadJwtSignature')
    // The reference accepts high-S/DER signatures here, for old clients.
    return verifySignature(didKey, signingInput, sig, { allowMalleableSig: true })
  }
  const key = await opts.resolveDidKey(payload.iss, false)
  if (!check(key)) {
    // The key may have rotated since it was cached.
    const fresh = await opts.resolveDidKey(payload.iss, true)
    if (fresh === key || !check(fresh)) throw bad('jwt signature does not match jwt issuer', 'BadJwtSignature')
  }
  return payload as ServiceJwtPayload
}
