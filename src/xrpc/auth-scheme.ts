// The Authorization header's scheme and credentials, shared by every verifier (session, admin, service
// and OAuth tokens) so that all of them read it the same way.
import { invalidInput } from '../services/errors.ts'

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

/**
 * The token of `Authorization: Bearer <token>`; undefined without a header or for another scheme. A header
 * that is not exactly `<scheme> <credentials>` is refused, as the reference's parseAuthorizationHeader.
 */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get('authorization')
  if (!header) return undefined
  if (header.split(' ').length !== 2) throw invalidInput('Malformed authorization header', 'InvalidToken')
  return authCredentials(header, 'Bearer') || undefined
}
