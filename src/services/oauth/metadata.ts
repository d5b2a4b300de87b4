// Discovery documents: RFC 9728 protected resource metadata and RFC 8414 authorization server metadata,
// with the reference's values (oauth-provider/src/metadata/build-metadata.ts).
import type { OAuthContext } from './context.ts'
import { VERIFY_ALGOS } from './dpop.ts'

export function protectedResourceMetadata(ctx: OAuthContext) {
  return {
    resource: ctx.issuer,
    authorization_servers: [ctx.issuer],
    scopes_supported: [],
    bearer_methods_supported: ['header'],
    resource_documentation: 'https://atproto.com',
  }
}

export function authorizationServerMetadata(ctx: OAuthContext) {
  const url = (path: string) => `${ctx.issuer}${path}`
  return {
    issuer: ctx.issuer,
    scopes_supported: ['atproto', 'transition:email', 'transition:generic', 'transition:chat.bsky'],
    subject_types_supported: ['public'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    ui_locales_supported: ['en-US'],
    display_values_supported: ['page', 'popup', 'touch'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account', 'create'],
    authorization_response_iss_parameter_supported: true,
    request_object_signing_alg_values_supported: [...VERIFY_ALGOS, 'none'],
    request_object_encryption_alg_values_supported: [],
    request_object_encryption_enc_values_supported: [],
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    jwks_uri: url('/oauth/jwks'),
    authorization_endpoint: url('/oauth/authorize'),
    token_endpoint: url('/oauth/token'),
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...VERIFY_ALGOS],
    revocation_endpoint: url('/oauth/revoke'),
    introspection_endpoint: url('/oauth/introspect'),
    pushed_authorization_request_endpoint: url('/oauth/par'),
    require_pushed_authorization_requests: true,
    dpop_signing_alg_values_supported: [...VERIFY_ALGOS],
    protected_resources: [ctx.issuer],
    client_id_metadata_document_supported: true,
    authorization_management_uri: url('/account'),
  }
}

/** Access tokens are signed with a symmetric key only this server holds: no public keys to publish. */
export const JWKS = { keys: [] as unknown[] }
