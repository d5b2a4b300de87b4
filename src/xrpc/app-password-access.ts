// What a scoped app password's access token may call: the same method policy and input checks as an
// OAuth token (src/services/oauth/method-policy.ts), from the scope the token carries.
import type { AuthExtras, AuthKind, AuthResult } from './auth.ts'
import { authorizeOAuthCall, authorizeOAuthInput } from '../services/oauth/method-policy.ts'
import { ScopePermissions } from '../services/oauth/scopes.ts'
import type { ProxyConfig } from '../services/proxy/methods.ts'
import { oauthCallInfo } from './oauth-verifier.ts'

export type { ProxyConfig }

/**
 * Throws 403 when the scope does not cover this call; otherwise the result gains `permissions` (so
 * every assertScope in handlers applies) and `authorizeInput` (record writes by collection and action).
 * isPrivileged, as for OAuth: the granted permissions decide, not the app-password tier.
 */
export function withAppPasswordScope(result: AuthResult, scope: string, call: { req: Request; nsid: string; kind: AuthKind; config: ProxyConfig }): AuthResult {
  const permissions = new ScopePermissions(scope)
  authorizeOAuthCall(permissions, oauthCallInfo(call.req), call.nsid, call.config, { explicitOnly: call.kind === 'accessFull' || call.kind === 'accessPrivileged' })
  const extras: AuthExtras & { permissions: ScopePermissions; appPassScope: string; isPrivileged: true } = {
    permissions,
    appPassScope: scope,
    isPrivileged: true,
    authorizeInput: (nsid, input) => authorizeOAuthInput(permissions, nsid, input),
  }
  // Same object: the verifier remembered the caller's account state under it (caller-account.ts).
  return Object.assign(result, extras)
}
