// Client authentication at PAR/token/revoke: public clients ('none') or private_key_jwt (RFC 7523)
// with a one-minute assertion whose jti is single use.
import * as jose from 'jose'
import { CLIENT_ASSERTION_MAX_AGE } from './constants.ts'
import type { OAuthClient } from './client-metadata.ts'
import { VERIFY_ALGOS } from './dpop.ts'
import { OAuthError, invalidClient } from './errors.ts'
import type { ClientAuth, OAuthStore } from './store.ts'

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

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
    const keyset = jose.createLocalJWKSet(client.jwks)
    ;({ payload, protectedHeader: header } = await jose.jwtVerify(params.client_assertion, keyset, {
      issuer: client.id,
      subject: client.id,
      audience: ctx.issuer,
      algorithms: VERIFY_ALGOS.filter((a) => a === client.metadata.token_endpoint_auth_signing_alg),
      maxTokenAge: CLIENT_ASSERTION_MAX_AGE / 1000,
      clockTolerance: 10,
    }))
  } catch (err) {
    throw invalidClient(`Invalid client assertion (${err instanceof Error ? err.message : 'unverifiable'})`)
  }
  if (typeof payload.jti !== 'string' || !payload.jti) throw invalidClient('Client assertion must have a jti')
  if (typeof header.kid !== 'string') throw invalidClient('Client assertion must name its key (kid)')
  const expiresAt = Date.now() + CLIENT_ASSERTION_MAX_AGE + 20_000
  if (!ctx.store.unique('client-assertion', `${client.id}:${payload.jti}`, expiresAt)) {
    throw invalidClient('Client assertion replayed')
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
