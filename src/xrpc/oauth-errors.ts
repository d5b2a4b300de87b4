// The OAuth error mapper: an OAuthError's code decides its HTTP status and challenge, as the reference's
// error classes (@atproto/oauth-provider/src/errors) do, which the official clients branch on.
import { OAuthError } from '../services/oauth/errors.ts'
import { VERIFY_ALGOS } from '../services/oauth/dpop.ts'

/** invalid_request answered with 413 (the only OAuth error whose status is not its code's). */
export class OAuthBodyTooLarge extends OAuthError {
  constructor() {
    super('invalid_request', 'Request body too large')
  }
}

/**
 * Where the error is answered: the token side (PAR, token, revoke) or a protected resource. A missing
 * nonce is 400 JSON at the token side (RFC 9449 §8) and 401 with a challenge at resources (§9).
 */
export type OAuthErrorSite = 'authorization-server' | 'resource'

/** An RFC 9449 §7.1 WWW-Authenticate challenge for the DPoP scheme, with the algorithms we verify (as the reference). */
export const dpopChallenge = (error: string, description: string) =>
  `DPoP algs="${VERIFY_ALGOS.join(' ')}", error="${error}", error_description="${description.replace(/"/g, "'")}"`

export function oauthErrorStatus(err: OAuthError, site: OAuthErrorSite): number {
  if (err instanceof OAuthBodyTooLarge) return 413
  switch (err.error) {
    case 'invalid_dpop_proof':
    case 'invalid_token':
      return 401
    case 'use_dpop_nonce':
      return site === 'resource' ? 401 : 400
    case 'temporarily_unavailable':
      return 429
    case 'server_error':
      return 500
    default:
      return 400
  }
}

/** The WWW-Authenticate challenge a 401 carries (none for other statuses). */
export function oauthErrorHeaders(err: OAuthError, site: OAuthErrorSite): Record<string, string> {
  if (oauthErrorStatus(err, site) !== 401) return {}
  // A resource's invalid_token challenge names no algorithms (the token, not the proof, is at fault).
  if (err.error === 'invalid_token' && site === 'resource') {
    return { 'WWW-Authenticate': `DPoP error="invalid_token", error_description="${err.description}"` }
  }
  return { 'WWW-Authenticate': dpopChallenge(err.error, err.description) }
}

export { OAuthError }
