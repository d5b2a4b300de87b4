// The Authorization header's scheme and credentials, shared by every verifier (session, admin, service
// and OAuth tokens) so that all of them read it the same way.

/**
 * The credentials of an Authorization header whose scheme is `scheme`; schemes compare
 * case-insensitively (RFC 9110 §11.1: `bearer`, `BASIC` and `dpop` are the same schemes).
 */
export function authCredentials(header: string | null | undefined, scheme: 'Basic' | 'Bearer' | 'DPoP'): string | undefined {
  if (!header || header.length <= scheme.length || header.charCodeAt(scheme.length) !== 32) return undefined
  if (header.slice(0, scheme.length).toLowerCase() !== scheme.toLowerCase()) return undefined
  return header.slice(scheme.length + 1).trim()
}

export const hasAuthScheme = (header: string | null | undefined, scheme: 'Basic' | 'Bearer' | 'DPoP') =>
  authCredentials(header, scheme) !== undefined
