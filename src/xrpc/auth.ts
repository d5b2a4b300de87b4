// Who is calling: the auth kinds a handler can ask for, and the admin (Basic) verifier.
import { timingSafeEqual } from 'node:crypto'
import { AuthRequiredError } from './errors.ts'
import { authCredentials } from './auth-scheme.ts'

/** What a verified caller looks like; the accounts service adds the token-based kinds. */
export type AuthResult =
  | { type: 'none' }
  | { type: 'admin' }
  | { type: 'access'; did: string; scope: string; tokenId?: string; appPassword?: string; isPrivileged: boolean }
  | { type: 'refresh'; did: string; tokenId: string; scope: string }
  | { type: 'service'; iss: string; aud: string; lxm?: string; did: string }

export type AuthKind =
  | 'none'
  | 'optionalAccess' // access token if present (e.g. reads that show more to the owner)
  | 'access' // access or app-password token
  | 'accessFull' // not app passwords (managing app passwords, email, deletion)
  | 'accessPrivileged' // full or privileged app password
  | 'accessDeactivated' // access token, also for deactivated/takendown accounts
  | 'accessProxied' // access or app-password token, account status not checked (the reference's pipethrough)
  | 'refresh'
  | 'admin'
  | 'accessOrAdmin'
  | 'service' // inter-service JWT signed by the caller's DID key

export type AuthRequest = { req: Request; nsid: string }

/**
 * What a verifier may attach to its result (OAuth does): headers every response to this call carries
 * (DPoP-Nonce), and a check of the parsed input for permissions that depend on the body.
 */
export type AuthExtras = {
  responseHeaders?: Record<string, string>
  authorizeInput?: (nsid: string, input: unknown) => void
}

/** The account behind a token (access, refresh or service JWT); undefined for admin and anonymous calls. */
export function authDid(auth: AuthResult): string | undefined {
  return auth.type === 'access' || auth.type === 'refresh' || auth.type === 'service' ? auth.did : undefined
}

/** The calling account's DID; 401 AuthenticationRequired when the call names no account. */
export function callerDid(auth: AuthResult): string {
  const did = authDid(auth)
  if (did === undefined) throw AuthRequiredError()
  return did
}

/** An access-token caller's DID (calls made for the account at another service); 401 for anything else. */
export function accessCallerDid(auth: AuthResult): string {
  if (auth.type !== 'access') throw AuthRequiredError()
  return auth.did
}

export const authResponseHeaders = (auth: AuthResult): Record<string, string> => (auth as AuthExtras).responseHeaders ?? {}

/** Token verification lives in the accounts service; the xrpc layer only calls it. */
export type AuthVerifier = (kind: AuthKind, ctx: AuthRequest) => Promise<AuthResult>

export function parseBasicAuth(header: string | null): { username: string; password: string } | undefined {
  const credentials = authCredentials(header, 'Basic')
  if (credentials === undefined) return undefined
  const decoded = Buffer.from(credentials, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a)
  const bb = Buffer.from(b)
  return ab.length === bb.length && timingSafeEqual(ab, bb)
}

export function isAdmin(req: Request, adminPassword: string): boolean {
  const basic = parseBasicAuth(req.headers.get('authorization'))
  return !!basic && basic.username === 'admin' && safeEqual(basic.password, adminPassword)
}
