// RFC 6749 errors: {error, error_description} with the status (and headers) each error calls for;
// the edge's OAuth routes answer them as JSON.

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
  | 'invalid_redirect_uri'
  | 'login_required'
  | 'consent_required'
  | 'server_error'
  | 'temporarily_unavailable'

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
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
export const invalidClient = (msg: string) => new OAuthError('invalid_client', msg, 401)
export const invalidDpop = (msg: string) => new OAuthError('invalid_dpop_proof', msg, 400)
