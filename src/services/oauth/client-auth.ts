// Client authentication at PAR/token/revoke: public clients ('none') or private_key_jwt (RFC 7523)
// with a one-minute assertion whose jti is single use.
import * as jose from 'jose'
import { CLIENT_ASSERTION_MAX_AGE } from './constants.ts'
import type { OAuthClient } from './client-metadata.ts'
import { JOSE_VERIFY_ALGOS } from './dpop.ts'
import { checkJwtTimes, peekJwsHeader, verifyEs256kJws } from './es256k.ts'
import { OAuthError, invalidClient, invalidRequest } from './errors.ts'
import type { OAuthContext } from './context.ts'
import type { ClientAuth, OAuthStore } from '../../storage/oauth/store.ts'

const ASSERTION_CLOCK_TOLERANCE_SEC = 10

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/**
 * The opening of every client-authenticated endpoint (PAR, token, revoke): the named client, its
 * metadata loaded and its credentials checked.
 */
export async function authenticatedClient(ctx: OAuthContext, params: Record<string, string>): Promise<{ client: OAuthClient; clientAuth: ClientAuth }> {
  if (!params.client_id) throw invalidRequest('client_id is required')
  const client = await ctx.clients.getClient(params.client_id)
  const clientAuth = await authenticateClient(client, params, { issuer: ctx.issuer, store: ctx.store })
  return { client, clientAuth }
}

export async function authenticateClient(
  client: OAuthClient,
  params: Record<string, string>,
  ctx: { issuer: string; store: OAuthStore },
): Promise<ClientAuth> {
  const method = client.metadata.token_endpoint_auth_method
  if (method === 'none') {
    if (params.client_assertion || params.client_assertion_type || params.client_secret) {
      throw invalidClient('This client is public and must not send client credentials')
    }
    return { method: 'none' }
  }
  if (params.client_assertion_type !== JWT_BEARER || !params.client_assertion) {
    throw invalidClient('private_key_jwt client authentication required')
  }
  if (!client.jwks?.keys?.length) throw invalidClient('Client has no keys')
  let payload: jose.JWTPayload
  let header: jose.JWTHeaderParameters
  try {
    const alg = client.metadata.token_endpoint_auth_signing_alg
    if (alg === 'ES256K') {
      ;({ payload, header } = verifyEs256kAssertion(client, params.client_assertion, ctx.issuer))
    } else {
      const keyset = jose.createLocalJWKSet(client.jwks)
      ;({ payload, protectedHeader: header } = await jose.jwtVerify(params.client_assertion, keyset, {
        issuer: client.id,
        subject: client.id,
        audience: ctx.issuer,
        algorithms: JOSE_VERIFY_ALGOS.filter((a) => a === alg),
        maxTokenAge: CLIENT_ASSERTION_MAX_AGE / 1000,
        clockTolerance: ASSERTION_CLOCK_TOLERANCE_SEC,
      }))
    }
  } catch (err) {
    throw invalidClient(`Invalid client assertion (${err instanceof Error ? err.message : 'unverifiable'})`)
  }
  if (typeof payload.jti !== 'string' || !payload.jti) throw invalidClient('Client assertion must have a jti')
  if (typeof header.kid !== 'string') throw invalidClient('Client assertion must name its key (kid)')
  const expiresAt = Date.now() + CLIENT_ASSERTION_MAX_AGE + 20_000
  // A replayed assertion is invalid_grant in the reference (its replay check follows authentication).
  if (!ctx.store.unique('client-assertion', `${client.id}:${payload.jti}`, expiresAt)) {
    throw new OAuthError('invalid_grant', 'private_key_jwt jti reused')
  }
  const jwk = client.jwks.keys.find((k) => k.kid === header.kid)
  const jkt = jwk ? await jose.calculateJwkThumbprint(jwk, 'sha256') : ''
  return { method: 'private_key_jwt', kid: header.kid, alg: header.alg, jkt }
}

/** A session stays tied to how its client authenticated when it started (and to the same key). */
export function assertSameClientAuth(initial: ClientAuth, now: ClientAuth) {
  if (initial.method !== now.method) throw new OAuthError('invalid_grant', 'Client authentication method changed')
  if (initial.method === 'private_key_jwt' && now.method === 'private_key_jwt' && initial.jkt !== now.jkt) {
    throw new OAuthError('invalid_grant', 'Client authentication key changed')
  }
}

/** What jose.jwtVerify checks for the other algorithms, for an ES256K assertion (see es256k.ts). */
function verifyEs256kAssertion(client: OAuthClient, assertion: string, issuer: string) {
  const kid = peekJwsHeader(assertion)?.kid
  if (typeof kid !== 'string') throw new Error('Client assertion must name its key (kid)')
  const jwk = client.jwks?.keys.find((k) => k.kid === kid) as Record<string, unknown> | undefined
  if (!jwk) throw new Error('no applicable key found in the JSON Web Key Set')
  if ((jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== 'ES256K')) throw new Error('Key may not be used for ES256K signatures')
  const { header, payload } = verifyEs256kJws(assertion, jwk)
  if (payload.iss !== client.id) throw new Error('unexpected "iss" claim value')
  if (payload.sub !== client.id) throw new Error('unexpected "sub" claim value')
  const aud = payload.aud
  if (!(aud === issuer || (Array.isArray(aud) && aud.includes(issuer)))) throw new Error('unexpected "aud" claim value')
  checkJwtTimes(payload, { maxAgeSec: CLIENT_ASSERTION_MAX_AGE / 1000, toleranceSec: ASSERTION_CLOCK_TOLERANCE_SEC })
  return { header: header as jose.JWTHeaderParameters, payload: payload as jose.JWTPayload }
}
