// DPoP-bound OAuth access tokens at the edge: wraps the session verifier so that OAuth tokens are
// accepted where access tokens are, within the method policy (src/services/oauth/method-policy.ts).
import type { ProxyConfig } from '../services/proxy/methods.ts'
import type { OAuthAccess, OAuthAccessCall, OAuthAccountPort, OAuthProvider } from '../services/oauth/index.ts'
import { CORS_HEADERS } from './oauth-cors.ts'
import { OAuthError } from '../services/oauth/errors.ts'
import { authorizeOAuthCall, authorizeOAuthInput, type OAuthCallInfo } from '../services/oauth/method-policy.ts'
import { authCredentials, hasAuthScheme } from './auth-scheme.ts'
import { oauthErrorHeaders, oauthErrorStatus } from './oauth-errors.ts'
import type { AuthExtras, AuthKind, AuthResult, AuthVerifier } from './auth.ts'
import { toXrpcError } from './error-mapper.ts'
import { XRPCError } from './errors.ts'

/** Accepts DPoP-bound OAuth tokens (of `provider`) wherever `base` accepts access tokens. */
export function oauthVerifier(base: AuthVerifier, provider: OAuthProvider, accounts: OAuthAccountPort, config: OAuthVerifierOptions['config']): AuthVerifier {
  const verify = async (req: Request) => {
    try {
      return await provider.verifyOAuthAccess(oauthAccessCall(req))
    } catch (err) {
      if (err instanceof OAuthError) throw toXrpc(err)
      throw err
    }
  }
  return withOAuthAccess(base, verify, accounts, { config, nextNonce: () => provider.ctx.dpop.nonces.next() })
}

/** What the OAuth service checks of a resource request: the DPoP token and proof, the method and URL. */
export function oauthAccessCall(req: Request): OAuthAccessCall {
  return { accessToken: authCredentials(req.headers.get('authorization'), 'DPoP'), dpop: req.headers.get('dpop'), method: req.method, url: req.url }
}

/** What the method policy reads of a request. */
export function oauthCallInfo(req: Request): OAuthCallInfo {
  return { query: new URL(req.url).searchParams, proxy: req.headers.get('atproto-proxy'), contentType: req.headers.get('content-type') }
}

/** Resource errors keep their OAuth name (clients look for use_dpop_nonce) and get their DPoP challenge. */
function toXrpc(err: OAuthError): XRPCError {
  const name = err.error === 'invalid_token' ? 'InvalidToken' : err.error
  const headers = { ...oauthErrorHeaders(err, 'resource'), 'Access-Control-Expose-Headers': CORS_HEADERS['Access-Control-Expose-Headers']! }
  return new XRPCError(oauthErrorStatus(err, 'resource'), name, err.description, headers)
}

/**
 * Auth kinds an OAuth token can satisfy. What it may do within them is the method policy
 * (method-policy.ts: the reference's per-method `authorize`), which also closes methods to OAuth.
 */
const OAUTH_KINDS: ReadonlySet<AuthKind> = new Set(['access', 'optionalAccess', 'accessOrAdmin', 'accessDeactivated', 'accessProxied', 'accessFull', 'accessPrivileged'])
/** Kinds that leave the account's status unchecked (the owner's own reads, the proxy as the reference's pipethrough). */
const STATUS_UNCHECKED: ReadonlySet<AuthKind> = new Set(['accessDeactivated', 'accessProxied'])

export type OAuthVerifierOptions = {
  /** Where proxied calls go by default (the rpc: audience). */
  config: ProxyConfig
  /** The current DPoP nonce: sent on every response to a DPoP call so clients need no extra round trip. */
  nextNonce: () => string
}

export function withOAuthAccess(
  base: AuthVerifier,
  verify: (req: Request) => Promise<OAuthAccess>,
  accounts: OAuthAccountPort,
  opts: OAuthVerifierOptions,
): AuthVerifier {
  return async (kind, ctx) => {
    const header = ctx.req.headers.get('authorization')
    if (!hasAuthScheme(header, 'DPoP')) return base(kind, ctx)
    if (!OAUTH_KINDS.has(kind)) {
      if (kind === 'none') return { type: 'none' }
      throw new XRPCError(403, 'InvalidToken', 'OAuth tokens cannot be used for this method')
    }
    const responseHeaders = {
      'DPoP-Nonce': opts.nextNonce(),
      'Access-Control-Expose-Headers': CORS_HEADERS['Access-Control-Expose-Headers']!,
    }
    let access: OAuthAccess
    try {
      access = await verify(ctx.req)
    } catch (err) {
      throw withHeaders(err, responseHeaders)
    }
    try {
      if (!STATUS_UNCHECKED.has(kind) && !accounts.getAccount(access.did)) {
        throw new XRPCError(401, 'AccountDeactivated', 'Account is deactivated or taken down')
      }
      if (!access.permissions.has('atproto')) throw new XRPCError(400, 'InvalidToken', 'OAuth token does not have "atproto" scope')
      authorizeOAuthCall(access.permissions, oauthCallInfo(ctx.req), ctx.nsid, opts.config, { explicitOnly: kind === 'accessFull' || kind === 'accessPrivileged' })
    } catch (err) {
      throw withHeaders(err, responseHeaders)
    }
    // Legacy checks see an app-password-like scope (no full-access extras such as personal preferences);
    // isPrivileged because the granted permissions, not the app-password tier, decide (as the reference).
    const result = {
      type: 'access' as const,
      did: access.did,
      scope: 'com.atproto.appPass',
      isPrivileged: true,
      tokenId: access.tokenId,
      oauthScope: access.scope,
      clientId: access.clientId,
      permissions: access.permissions,
      responseHeaders,
      authorizeInput: (nsid: string, input: unknown) => {
        try {
          authorizeOAuthInput(access.permissions, nsid, input)
        } catch (err) {
          throw withHeaders(err, responseHeaders)
        }
      },
    } satisfies AuthExtras & Record<string, unknown>
    return result as AuthResult
  }
}

function withHeaders(err: unknown, headers: Record<string, string>): unknown {
  const xrpc = toXrpcError(err)
  if (!xrpc) return err
  return new XRPCError(xrpc.status, xrpc.error, xrpc.message, { ...headers, ...xrpc.headers })
}
