// The OAuth provider: builds its context once and exposes it (for the edge's routes and pages), the
// resource-side check (verifyOAuthAccess) and the revocation hook for account events.
import type { Database } from 'bun:sqlite'
import type { Config } from '../../config/config.ts'
import { Lexicons } from '../../core/lexicon/index.ts'
import { LEXICON_SOURCES } from '../../generated/lexicons.gen.ts'
import type { Logger } from '../../logger.ts'
import { deriveAccessTokenKey } from './access-token.ts'
import { ClientStore } from './client-metadata.ts'
import type { OAuthAccountPort, OAuthContext } from './context.ts'
import { DpopNonces, DpopVerifier } from './dpop.ts'
import { permissionSetsFrom } from './permission-sets.ts'
import { OAuthStore } from '../../storage/oauth/store.ts'
import { hmac } from './util.ts'
import { verifyAccess, type OAuthAccess, type OAuthAccessCall } from './verify-access.ts'

import { listOAuthSessions, revokeOAuthSession, type OAuthSessionView } from './sessions.ts'

export type { OAuthAccess, OAuthAccessCall, OAuthAccountPort, OAuthSessionView }
export { assertScope, ScopePermissions } from './scopes.ts'

export type OAuthProvider = {
  ctx: OAuthContext
  /** Verifies a DPoP access token and its proof; throws OAuthError (invalid_token, invalid_dpop_proof, use_dpop_nonce). */
  verifyOAuthAccess(call: OAuthAccessCall): Promise<OAuthAccess>
  /** Ends every OAuth session of an account (password reset, deactivation, takedown, deletion). */
  revokeAllOAuthSessions(did: string): number
  /** The account's OAuth sessions in plain words (the account web app's sessions view). */
  listOAuthSessions(did: string): Promise<OAuthSessionView[]>
  /** Ends one OAuth session of the account; false when it is not the account's. */
  revokeOAuthSession(did: string, id: string): boolean
}

export function createOAuthProvider(opts: {
  config: Config
  log: Logger
  accountDb: Database
  accounts: OAuthAccountPort
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
    permissionSets: permissionSetsFrom(opts.lexicons ?? new Lexicons(LEXICON_SOURCES, { lazy: true })),
    log: opts.log,
  }
  return {
    ctx,
    verifyOAuthAccess: (call) => verifyAccess(ctx, call),
    revokeAllOAuthSessions: (did) => store.deleteAllForAccount(did),
    listOAuthSessions: (did) => listOAuthSessions(ctx, did),
    revokeOAuthSession: (did, id) => revokeOAuthSession(ctx, did, id),
  }
}
