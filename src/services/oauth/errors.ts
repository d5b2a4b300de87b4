// RFC 6749 errors: {error, error_description}. The services throw them; the HTTP status and headers
// (WWW-Authenticate, DPoP-Nonce) each code calls for are decided at the edge (src/xrpc/oauth-errors.ts).

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_authorization_details'
  | 'invalid_client_metadata'
  | 'invalid_client_id'
  | 'unsupported_response_type'
  | 'invalid_redirect_uri'
  | 'login_required'
  | 'consent_required'
  | 'server_error'
  | 'temporarily_unavailable'

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description)
    this.name = 'OAuthError'
  }

  toJSON() {
    return { error: this.error, error_description: this.description }
  }
}

export const invalidRequest = (msg: string) => new OAuthError('invalid_request', msg)
export const invalidGrant = (msg: string) => new OAuthError('invalid_grant', msg)
export const invalidClient = (msg: string) => new OAuthError('invalid_client', msg)
export const invalidClientMetadata = (msg: string) => new OAuthError('invalid_client_metadata', msg)
export const invalidClientId = (msg: string) => new OAuthError('invalid_client_id', msg)

