// The OAuth provider: builds its context once and exposes the routes plugin, the resource-side check
// (verifyOAuthAccess) and the revocation hook for account events.
import type { Database } from 'bun:sqlite'
import type { Config } from '../../config/config.ts'
import { Lexicons } from '../../core/lexicon/index.ts'
import { LEXICON_DOCUMENTS } from '../../generated/lexicons.gen.ts'
import type { Logger } from '../../logger.ts'
import type { Plugin } from '../../xrpc/app.ts'
import type { AuthExtras, AuthKind, AuthResult, AuthVerifier } from '../../xrpc/auth.ts'
import { hasAuthScheme } from '../auth/auth-scheme.ts'
import { XRPCError } from '../../xrpc/errors.ts'
import type { RateLimiter } from '../../xrpc/rate-limit.ts'
import { deriveAccessTokenKey } from './access-token.ts'
import { ClientStore } from './client-metadata.ts'
import type { OAuthAccountPort, OAuthContext } from './context.ts'
import { CORS_HEADERS } from './cors.ts'
import { DpopNonces, DpopVerifier } from './dpop.ts'
import { OAuthError } from './errors.ts'
import { permissionSetsFrom } from './permission-sets.ts'
import { oauthRoutes } from './routes.ts'
import { OAuthStore } from '../../storage/oauth/store.ts'
import { hmac } from './util.ts'
import { authorizeOAuthCall, authorizeOAuthInput } from './method-policy.ts'
import { verifyAccess, type OAuthAccess } from './verify-access.ts'

import { listOAuthSessions, revokeOAuthSession, type OAuthSessionView } from './sessions.ts'

export type { OAuthAccess, OAuthAccountPort, OAuthSessionView }
export { assertScope, ScopePermissions } from './scopes.ts'

export type OAuthProvider = {
  plugin: Plugin
  ctx: OAuthContext
  /** Verifies `Authorization: DPoP <token>` + `DPoP: <proof>`; throws XRPCError (401) with DPoP headers. */
  verifyOAuthAccess(req: Request): Promise<OAuthAccess>
  /** Ends every OAuth session of an account (password reset, deactivation, takedown, deletion). */
  revokeAllOAuthSessions(did: string): number
  /** The account's OAuth sessions in plain words (the account web app's sessions view). */
  listOAuthSessions(did: string): Promise<OAuthSessionView[]>
  /** Ends one OAuth session of the account; false when it is not the account's. */
  revokeOAuthSession(did: string, id: string): boolean
  /** Wraps the accounts verifier so that DPoP-bound OAuth tokens are accepted where access tokens are. */
  wrapVerifier(base: AuthVerifier): AuthVerifier
}

export function createOAuthProvider(opts: {
  config: Config
  log: Logger
  accountDb: Database
  accounts: OAuthAccountPort
  rateLimiter: RateLimiter
  /** Where include: permission sets are looked up (services.lexicons); by default the bundled lexicons. */
  lexicons?: Lexicons
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
    permissionSets: permissionSetsFrom(opts.lexicons ?? new Lexicons(LEXICON_DOCUMENTS, { lazy: true })),
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
    listOAuthSessions: (did) => listOAuthSessions(ctx, did),
    revokeOAuthSession: (did, id) => revokeOAuthSession(ctx, did, id),
    wrapVerifier: (base) =>
      withOAuthAccess(base, verifyOAuthAccess, opts.accounts, { config, nextNonce: () => ctx.dpop.nonces.next() }),
  }
}

/** Resource errors keep their OAuth name (clients look for use_dpop_nonce) and their DPoP headers. */
function toXrpc(err: OAuthError): XRPCError {
  const name = err.error === 'invalid_token' ? 'InvalidToken' : err.error
  return new XRPCError(err.status, name, err.description, { ...err.headers, 'Access-Control-Expose-Headers': CORS_HEADERS['Access-Control-Expose-Headers']! })
}

/**
 * Auth kinds an OAuth token can satisfy. What it may do within them is the method policy
 * (method-policy.ts: the reference's per-method `authorize`), which also closes methods to OAuth.
 */
const OAUTH_KINDS: ReadonlySet<AuthKind> = new Set(['access', 'optionalAccess', 'accessOrAdmin', 'accessDeactivated', 'accessFull', 'accessPrivileged'])

export type OAuthVerifierOptions = {
  /** Where proxied calls go by default (the rpc: audience). */
  config: Pick<Config, 'bskyAppView' | 'reportService' | 'modService' | 'chatService'>
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
      if (kind !== 'accessDeactivated' && !accounts.getAccount(access.did)) {
        throw new XRPCError(401, 'AccountDeactivated', 'Account is deactivated or taken down')
      }
      if (!access.permissions.has('atproto')) throw new XRPCError(400, 'InvalidToken', 'OAuth token does not have "atproto" scope')
      authorizeOAuthCall(access.permissions, ctx.req, ctx.nsid, opts.config, { explicitOnly: kind === 'accessFull' || kind === 'accessPrivileged' })
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
  if (!(err instanceof XRPCError)) return err
  return new XRPCError(err.status, err.error, err.message, { ...headers, ...err.headers })
}
