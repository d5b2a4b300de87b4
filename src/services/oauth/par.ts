// Pushed authorization requests (RFC 9126): the only way to start an authorization here.
import { isValidDid, isValidHandle } from '../../core/syntax/index.ts'
import { authenticatedClient } from './client-auth.ts'
import type { OAuthClient } from './client-metadata.ts'
import { CODE_CHALLENGE_REPLAY_TIMEFRAME, PAR_EXPIRES_IN, REQUEST_ID_PREFIX, REQUEST_URI_PREFIX } from './constants.ts'
import type { OAuthContext, OAuthEndpointCall } from './context.ts'
import { decodeRequestObject } from './request-object.ts'
import { publicRequestUrl } from './verify-access.ts'
import { OAuthError, invalidRequest } from './errors.ts'
import { unresolvedIncludes } from './permission-sets.ts'
import { isKnownScope, scopeSet } from './scopes.ts'
import type { AuthorizationParameters } from '../../storage/oauth/store.ts'
import { randomId } from './util.ts'

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/
const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const
const PROMPTS = ['none', 'login', 'consent', 'select_account', 'create']

/** The response types OAuth 2.1 and OIDC define (@atproto/oauth-types' oauthResponseTypeSchema). */
const KNOWN_RESPONSE_TYPES = new Set(['code', 'token', 'none', 'code id_token token', 'code id_token', 'code token', 'id_token token', 'id_token'])

/** RFC 8252 §7.3: a loopback redirect matches a registered one whatever its port. */
export function redirectUriAllowed(client: OAuthClient, uri: string): boolean {
  if (client.metadata.redirect_uris.includes(uri)) return true
  if (!URL.canParse(uri)) return false
  const u = new URL(uri)
  if (u.protocol !== 'http:' || (u.hostname !== '127.0.0.1' && u.hostname !== '[::1]')) return false
  return client.metadata.redirect_uris.some((r) => {
    const reg = URL.canParse(r) ? new URL(r) : null
    return !!reg && reg.protocol === u.protocol && reg.hostname === u.hostname && reg.pathname === u.pathname && reg.search === u.search
  })
}

/** Validates what a client asks for against what it registered; the errors are RFC 6749's. */
export function validateAuthorizationParameters(client: OAuthClient, p: Record<string, string>): AuthorizationParameters {
  if (p.request_uri !== undefined) throw invalidRequest('request_uri is not allowed at the PAR endpoint')
  if (p.client_id !== client.id) throw invalidRequest('The "client_id" parameter does not match the authenticated client')
  if (p.response_type !== 'code') {
    // A response type OAuth or OIDC defines, but not this server: unsupported_response_type (as the reference).
    if (KNOWN_RESPONSE_TYPES.has(p.response_type ?? '')) throw new OAuthError('unsupported_response_type', `Unsupported response_type "${p.response_type}"`)
    throw invalidRequest('response_type must be "code"')
  }
  if (!client.metadata.response_types.includes('code')) throw new OAuthError('unauthorized_client', 'Client may not use response_type code')

  const redirect_uri = p.redirect_uri ?? (client.metadata.redirect_uris.length === 1 ? client.metadata.redirect_uris[0]! : undefined)
  if (!redirect_uri) throw invalidRequest('redirect_uri is required when the client registered several')
  if (!redirectUriAllowed(client, redirect_uri)) throw new OAuthError('invalid_request', 'redirect_uri is not registered for this client')

  if (p.code_challenge_method !== 'S256') throw invalidRequest('code_challenge_method must be S256')
  if (!p.code_challenge || !PKCE_CHALLENGE.test(p.code_challenge)) throw invalidRequest('A valid S256 code_challenge is required')

  const requested = scopeSet(p.scope ?? client.metadata.scope)
  if (!requested.has('atproto')) throw new OAuthError('invalid_scope', 'The "atproto" scope is required')
  const registered = scopeSet(client.metadata.scope)
  for (const s of requested) {
    if (!isKnownScope(s)) throw new OAuthError('invalid_scope', `Unsupported scope "${s}"`)
    if (!registered.has(s)) throw new OAuthError('invalid_scope', `Scope "${s}" is not registered for this client`)
  }

  const response_mode = p.response_mode ?? 'query'
  if (!(RESPONSE_MODES as readonly string[]).includes(response_mode)) throw invalidRequest('Unsupported response_mode')
  if (p.state !== undefined && p.state.length > 2048) throw invalidRequest('state too long')
  if (p.prompt !== undefined && !PROMPTS.includes(p.prompt)) throw invalidRequest('Unsupported prompt')
  if (p.login_hint !== undefined) {
    const hint = p.login_hint.startsWith('@') ? p.login_hint.slice(1) : p.login_hint
    if (!isValidDid(hint) && !isValidHandle(hint)) throw invalidRequest('login_hint must be a handle or a DID')
  }
  if (p.dpop_jkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(p.dpop_jkt)) throw invalidRequest('Invalid dpop_jkt')

  return {
    client_id: client.id,
    response_type: 'code',
    redirect_uri,
    scope: [...requested].join(' '),
    code_challenge: p.code_challenge,
    code_challenge_method: 'S256',
    response_mode: response_mode as AuthorizationParameters['response_mode'],
    ...(p.state !== undefined && { state: p.state }),
    ...(p.login_hint !== undefined && { login_hint: p.login_hint.replace(/^@/, '') }),
    ...(p.prompt !== undefined && { prompt: p.prompt }),
    ...(p.dpop_jkt !== undefined && { dpop_jkt: p.dpop_jkt }),
  }
}

export type ParResult = { request_uri: string; expires_in: number }

export async function handlePar(ctx: OAuthContext, call: OAuthEndpointCall): Promise<ParResult> {
  const { params } = call
  const { client, clientAuth } = await authenticatedClient(ctx, params)
  const proof = await ctx.dpop.verify(call.dpop, { method: call.method, htu: publicRequestUrl(ctx, call.url) })
  // RFC 9101: with a request object, its claims are the request (the reference does not merge the form's).
  if (params.request !== undefined && params.request_uri !== undefined) throw invalidRequest('request and request_uri are mutually exclusive')
  const requested = params.request !== undefined ? await decodeRequestObject(client, params.request, { issuer: ctx.issuer, store: ctx.store }) : params
  const parameters = validateAuthorizationParameters(client, requested)
  // Only the permission sets bundled with this server can be granted: lexicons are not fetched from the network.
  const unknownSet = unresolvedIncludes(parameters.scope, ctx.permissionSets)[0]
  if (unknownSet) {
    throw new OAuthError('invalid_scope', `Unknown permission set in scope "${unknownSet}": this server only grants the permission sets of its bundled lexicons`)
  }
  // The reference's InvalidDpopKeyBindingError.
  if (proof && parameters.dpop_jkt && proof.jkt !== parameters.dpop_jkt) {
    throw new OAuthError('invalid_token', 'Invalid DPoP key binding')
  }
  const dpopJkt = proof?.jkt ?? parameters.dpop_jkt ?? null
  // A code_challenge is good for one authorization only (the reference refuses replays for a day).
  if (!ctx.store.unique('code_challenge', parameters.code_challenge, Date.now() + CODE_CHALLENGE_REPLAY_TIMEFRAME)) {
    throw invalidRequest('Code challenge already used')
  }
  const id = randomId(REQUEST_ID_PREFIX, 16)
  ctx.store.createRequest({ id, clientId: client.id, clientAuth, parameters, dpopJkt, expiresAt: Date.now() + PAR_EXPIRES_IN })
  return { request_uri: REQUEST_URI_PREFIX + id, expires_in: Math.floor(PAR_EXPIRES_IN / 1000) - 1 }
}
