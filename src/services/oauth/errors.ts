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
// Statuses as the reference authorization server (@atproto/oauth-provider's error classes), which the
// official clients branch on: a failed client authentication is 400, a bad DPoP proof 401 everywhere.
export const invalidClient = (msg: string) => new OAuthError('invalid_client', msg, 400)
export const invalidClientMetadata = (msg: string) => new OAuthError('invalid_client_metadata', msg, 400)
export const invalidClientId = (msg: string) => new OAuthError('invalid_client_id', msg, 400)

