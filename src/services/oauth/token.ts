// The token endpoint: authorization_code (with PKCE) and refresh_token (rotated; a reused refresh
// token revokes its whole session). Every token is bound to the DPoP key that asked for it.
import { assertSameClientAuth, authenticatedClient } from './client-auth.ts'
import type { OAuthClient } from './client-metadata.ts'
import {
  CONFIDENTIAL_CLIENT_REFRESH_LIFETIME,
  CONFIDENTIAL_CLIENT_SESSION_LIFETIME,
  PUBLIC_CLIENT_REFRESH_LIFETIME,
  PUBLIC_CLIENT_SESSION_LIFETIME,
  REFRESH_TOKEN_PREFIX,
  TOKEN_ID_PREFIX,
} from './constants.ts'
import type { OAuthContext, OAuthEndpointCall } from './context.ts'
import { publicRequestUrl } from './verify-access.ts'
import { invalidDpopProof, type DpopProof } from './dpop.ts'
import { OAuthError, invalidGrant, invalidRequest } from './errors.ts'
import { signAccessToken } from './access-token.ts'
import { buildTokenScope, UnresolvedPermissionSetError } from './permission-sets.ts'
import { scopeSet } from './scopes.ts'
import type { ClientAuth, TokenRow } from '../../storage/oauth/store.ts'
import { constantTimeEqual, randomId, sha256b64url } from './util.ts'

const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/** When a session ends: a hard cap from its start, and a shorter one from its last refresh. */
export function sessionExpiry(clientAuth: ClientAuth, createdAt: number, updatedAt: number): number {
  const confidential = clientAuth.method !== 'none'
  const lifetime = confidential ? CONFIDENTIAL_CLIENT_SESSION_LIFETIME : PUBLIC_CLIENT_SESSION_LIFETIME
  const idle = confidential ? CONFIDENTIAL_CLIENT_REFRESH_LIFETIME : PUBLIC_CLIENT_REFRESH_LIFETIME
  return Math.min(createdAt + lifetime, updatedAt + idle)
}

/** RFC 6749 §5.1's successful token response. */
export type TokenResult = {
  access_token: string
  token_type: 'DPoP'
  expires_in: number
  refresh_token?: string
  scope: string
  sub: string
}

export async function handleToken(ctx: OAuthContext, call: OAuthEndpointCall): Promise<TokenResult> {
  const { params } = call
  const { client, clientAuth } = await authenticatedClient(ctx, params)
  const proof = await ctx.dpop.verify(call.dpop, { method: call.method, htu: publicRequestUrl(ctx, call.url) })
  if (!proof) throw invalidDpopProof('DPoP proof required')
  if (!client.metadata.grant_types.includes(params.grant_type ?? '')) {
    if (params.grant_type === 'authorization_code' || params.grant_type === 'refresh_token') {
      throw new OAuthError('unauthorized_client', `Client may not use the ${params.grant_type} grant`)
    }
  }
  let row: TokenRow
  if (params.grant_type === 'authorization_code') row = await codeGrant(ctx, client, clientAuth, proof, params)
  else if (params.grant_type === 'refresh_token') row = refreshGrant(ctx, client, clientAuth, proof, params)
  else throw new OAuthError('unsupported_grant_type', 'Unsupported grant_type')
  return tokenResponse(ctx, row)
}

async function codeGrant(ctx: OAuthContext, client: OAuthClient, clientAuth: ClientAuth, proof: DpopProof, p: Record<string, string>) {
  if (!p.code) throw invalidRequest('code is required')
  const request = ctx.store.consumeCode(p.code)
  if (!request) {
    // RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
    const issued = ctx.store.findTokenByCode(p.code)
    if (issued) {
      ctx.store.deleteToken(issued.id)
      throw invalidGrant('Code replayed')
    }
    throw invalidGrant('Invalid code')
  }
  if (request.clientId !== client.id) throw invalidGrant('Code was issued to another client')
  if (request.expiresAt < Date.now()) throw invalidGrant('Code expired')
  if (!request.did) throw invalidGrant('Authorization was not completed')
  if (p.redirect_uri !== request.parameters.redirect_uri) throw invalidGrant('redirect_uri does not match the authorization request')
  if (!p.code_verifier || !PKCE_VERIFIER.test(p.code_verifier)) throw invalidGrant('Invalid code_verifier')
  if (!constantTimeEqual(sha256b64url(p.code_verifier), request.parameters.code_challenge)) throw invalidGrant('Invalid code_verifier')
  if (request.dpopJkt && request.dpopJkt !== proof.jkt) throw invalidGrant('DPoP key does not match the one used at PAR')
  assertSameClientAuth(request.clientAuth, clientAuth)
  if (!ctx.accounts.getAccount(request.did)) throw invalidGrant('Account is not available')

  const scope = tokenScope(ctx, request.parameters.scope)
  const now = Date.now()
  const row: TokenRow = {
    id: randomId(TOKEN_ID_PREFIX, 16),
    did: request.did,
    clientId: client.id,
    clientAuth,
    deviceId: request.deviceId,
    scope,
    parameters: request.parameters,
    dpopJkt: proof.jkt,
    code: p.code,
    refreshToken: client.metadata.grant_types.includes('refresh_token') ? randomId(REFRESH_TOKEN_PREFIX, 32) : null,
    createdAt: now,
    updatedAt: now,
    expiresAt: sessionExpiry(clientAuth, now, now),
  }
  ctx.store.createToken(row)
  // A new authorization of this client for this account replaces the earlier ones: their tokens end.
  ctx.store.deleteEarlierTokensOfClient(row.did, row.clientId, row.id)
  return row
}

function refreshGrant(ctx: OAuthContext, client: OAuthClient, clientAuth: ClientAuth, proof: DpopProof, p: Record<string, string>) {
  if (!p.refresh_token) throw invalidRequest('refresh_token is required')
  const current = ctx.store.findTokenByRefresh(p.refresh_token)
  if (!current) {
    // A spent refresh token came back: someone holds a copy. End the session for everyone.
    const familyId = ctx.store.findUsedRefreshToken(p.refresh_token)
    if (familyId) {
      ctx.store.deleteToken(familyId)
      throw invalidGrant('Refresh token replayed')
    }
    throw invalidGrant('Invalid refresh token')
  }
  if (current.clientId !== client.id) throw invalidGrant('Refresh token was issued to another client')
  if (current.dpopJkt !== proof.jkt) throw invalidGrant('DPoP proof does not match the key the token is bound to')
  assertSameClientAuth(current.clientAuth, clientAuth)
  const now = Date.now()
  if (current.expiresAt < now) {
    ctx.store.deleteToken(current.id)
    throw invalidGrant('Refresh token expired')
  }
  if (p.scope !== undefined) {
    const granted = scopeSet(current.scope)
    for (const s of scopeSet(tokenScope(ctx, p.scope))) if (!granted.has(s)) throw new OAuthError('invalid_scope', `Scope "${s}" was not granted`)
  }
  if (!ctx.accounts.getAccount(current.did)) {
    ctx.store.deleteToken(current.id)
    throw invalidGrant('Account is not available')
  }
  const next = {
    id: randomId(TOKEN_ID_PREFIX, 16),
    refreshToken: randomId(REFRESH_TOKEN_PREFIX, 32),
    updatedAt: now,
    expiresAt: sessionExpiry(current.clientAuth, current.createdAt, now),
  }
  ctx.store.rotateToken(current, next)
  return { ...current, ...next }
}

/** The granted scope with include: permission sets expanded into the permissions they grant. */
function tokenScope(ctx: OAuthContext, scope: string): string {
  try {
    return buildTokenScope(scope, ctx.permissionSets)
  } catch (err) {
    if (err instanceof UnresolvedPermissionSetError) throw invalidRequest(err.message)
    throw err
  }
}

async function tokenResponse(ctx: OAuthContext, row: TokenRow): Promise<TokenResult> {
  const { token, expiresIn } = await signAccessToken(ctx.accessTokenKey, {
    iss: ctx.issuer,
    aud: ctx.serviceDid,
    sub: row.did,
    jti: row.id,
    scope: row.scope,
    client_id: row.clientId,
    cnf: { jkt: row.dpopJkt! },
  })
  return {
    access_token: token,
    token_type: 'DPoP',
    expires_in: expiresIn,
    ...(row.refreshToken && { refresh_token: row.refreshToken }),
    scope: row.scope,
    sub: row.did,
  }
}
