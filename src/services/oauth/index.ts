// The OAuth provider: builds its context once and exposes the routes plugin, the resource-side check
// (verifyOAuthAccess) and the revocation hook for account events.
import type { Database } from 'bun:sqlite'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import type { Plugin } from '../../xrpc/app.ts'
import type { AuthKind, AuthResult, AuthVerifier } from '../../xrpc/auth.ts'
import { XRPCError } from '../../xrpc/errors.ts'
import type { RateLimiter } from '../../xrpc/rate-limit.ts'
import { deriveAccessTokenKey } from './access-token.ts'
import { ClientStore } from './client-metadata.ts'
import type { OAuthAccountPort, OAuthContext } from './context.ts'
import { CORS_HEADERS } from './cors.ts'
import { DpopNonces, DpopVerifier } from './dpop.ts'
import { OAuthError } from './errors.ts'
import { oauthRoutes } from './routes.ts'
import { OAuthStore } from './store.ts'
import { hmac } from './util.ts'
import { verifyAccess, type OAuthAccess } from './verify-access.ts'

export type { OAuthAccess, OAuthAccountPort }
export { assertScope, ScopePermissions } from './scopes.ts'

export type OAuthProvider = {
  plugin: Plugin
  ctx: OAuthContext
  /** Verifies `Authorization: DPoP <token>` + `DPoP: <proof>`; throws XRPCError (401) with DPoP headers. */
  verifyOAuthAccess(req: Request): Promise<OAuthAccess>
  /** Ends every OAuth session of an account (password reset, deactivation, takedown, deletion). */
  revokeAllOAuthSessions(did: string): number
  /** Wraps the accounts verifier so that DPoP-bound OAuth tokens are accepted where access tokens are. */
  wrapVerifier(base: AuthVerifier): AuthVerifier
}

export function createOAuthProvider(opts: {
  config: Config
  log: Logger
  accountDb: Database
  accounts: OAuthAccountPort
  rateLimiter: RateLimiter
  /** For tests: fetches client metadata documents instead of the network. */
  fetchJson?: (url: string) => Promise<unknown>
}): OAuthProvider {
  const { config } = opts
  const store = new OAuthStore(opts.accountDb)
  const ctx: OAuthContext = {
    issuer: config.service.publicUrl.replace(/\/$/, ''),
    serviceDid: config.service.did,
    devMode: config.service.devMode,
    store,
    clients: new ClientStore({ devMode: config.service.devMode, fetchJson: opts.fetchJson }),
    dpop: new DpopVerifier(new DpopNonces(hmac(config.secrets.jwtSecret, 'pds-oauth-dpop-nonce-v1')), store),
    accounts: opts.accounts,
    accessTokenKey: deriveAccessTokenKey(config.secrets.jwtSecret),
    log: opts.log,
  }
  const verifyOAuthAccess = async (req: Request) => {
    try {
      return await verifyAccess(ctx, req)
    } catch (err) {
      if (err instanceof OAuthError) throw toXrpc(err)
      throw err
    }
  }
  return {
    plugin: oauthRoutes({ ctx, rateLimiter: opts.rateLimiter, trustedProxies: config.rateLimits.trustedProxies }),
    ctx,
    verifyOAuthAccess,
    revokeAllOAuthSessions: (did) => store.deleteAllForAccount(did),
    wrapVerifier: (base) => withOAuthAccess(base, verifyOAuthAccess, opts.accounts),
  }
}

/** Resource errors keep their OAuth name (clients look for use_dpop_nonce) and their DPoP headers. */
function toXrpc(err: OAuthError): XRPCError {
  const name = err.error === 'invalid_token' ? 'InvalidToken' : err.error
  return new XRPCError(err.status, name, err.description, { ...err.headers, 'Access-Control-Expose-Headers': CORS_HEADERS['Access-Control-Expose-Headers']! })
}

/** Auth kinds an OAuth token can satisfy; finer limits are the granted scopes (assertScope in handlers). */
const OAUTH_KINDS: ReadonlySet<AuthKind> = new Set(['access', 'optionalAccess', 'accessOrAdmin', 'accessDeactivated'])

export function withOAuthAccess(base: AuthVerifier, verify: (req: Request) => Promise<OAuthAccess>, accounts: OAuthAccountPort): AuthVerifier {
  return async (kind, ctx) => {
    const header = ctx.req.headers.get('authorization')
    if (!header?.startsWith('DPoP ')) return base(kind, ctx)
    if (!OAUTH_KINDS.has(kind)) {
      if (kind === 'none') return { type: 'none' }
      throw new XRPCError(403, 'InvalidToken', 'OAuth tokens cannot be used for this method')
    }
    const access = await verify(ctx.req)
    if (kind !== 'accessDeactivated' && !accounts.getAccount(access.did)) {
      throw new XRPCError(401, 'AccountDeactivated', 'Account is deactivated or taken down')
    }
    // Legacy checks see an unprivileged app-password-like scope; OAuth permissions travel alongside.
    const result = {
      type: 'access' as const,
      did: access.did,
      scope: 'com.atproto.appPass',
      isPrivileged: false,
      tokenId: access.tokenId,
      oauthScope: access.scope,
      clientId: access.clientId,
      permissions: access.permissions,
    }
    return result as AuthResult
  }
}
