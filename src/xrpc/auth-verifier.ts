// services.verifyAuth: every AuthKind of ./auth.ts over session JWTs, admin Basic auth and
// inter-service JWTs, with the reference's error names.
import type { AuthKind, AuthResult, AuthVerifier } from './auth.ts'
import { isAdmin, parseBasicAuth } from './auth.ts'
import { bearerToken, hasAuthScheme } from './auth-scheme.ts'
import { authRequired, forbidden, invalidInput } from '../services/errors.ts'
import { ACCESS_FULL, ACCESS_PRIVILEGED, ACCESS_STANDARD, AuthScope } from '../services/auth/scopes.ts'
import { verifyBearer } from '../services/auth/tokens.ts'
import type { CredentialSource } from '../services/accounts/index.ts'
import { rememberCallerAccount } from './caller-account.ts'
import { verifyServiceJwt } from '../services/service-auth/index.ts'
import { withAppPasswordScope, type ProxyConfig } from './app-password-access.ts'

export type VerifierDeps = CredentialSource & {
  serviceDid: string
  adminPassword: string
  /** Where proxied calls go by default: the rpc: audience scoped app passwords are checked against. */
  proxyConfig: ProxyConfig
}

export function createAuthVerifier(deps: VerifierDeps): AuthVerifier {
  const access = async (
    req: Request,
    scopes: readonly string[],
    opts: { checkDeactivated: boolean; checkTakedown: boolean },
    call: { nsid: string; kind: AuthKind },
  ): Promise<AuthResult> => {
    const header = req.headers.get('authorization')
    if (!header) throw authRequired(undefined, 'AuthMissing')
    const token = bearerToken(req)
    if (!token) throw invalidInput('Unexpected authorization type', 'InvalidToken')
    // A scoped app password may reach full-access methods: its scope, not its tier, decides (below).
    const accepted = scopes.includes(AuthScope.AppPass) ? scopes : [...scopes, AuthScope.AppPass]
    const verified = await verifyBearer(deps.key, token, { typ: 'at+jwt', audience: deps.serviceDid, scopes: accepted })
    if (!scopes.includes(verified.scope) && !verified.appPassScope) throw invalidInput('Bad token scope', 'InvalidToken')
    const account = deps.getAccountStatus(verified.sub)
    const checked = opts.checkDeactivated || opts.checkTakedown
    // Without a status check the token alone counts, as the reference (which then does not look the
    // account up): a deleted account's token reaches the handler, which answers as for anyone else.
    if (!account && checked) throw forbidden('Account not found', 'AccountNotFound')
    if (opts.checkTakedown && account?.takedownRef) throw authRequired('Account has been taken down', 'AccountTakedown')
    if (opts.checkDeactivated && account?.deactivatedAt) throw authRequired('Account is deactivated', 'AccountDeactivated')
    const isPrivileged = verified.scope === AuthScope.Access || verified.scope === AuthScope.AppPassPrivileged
    const result: AuthResult = { type: 'access', did: verified.sub, scope: verified.scope, isPrivileged }
    if (account) rememberCallerAccount(result, { deactivatedAt: account.deactivatedAt, takedownRef: account.takedownRef })
    return verified.appPassScope ? withAppPasswordScope(result, verified.appPassScope, { req, ...call, config: deps.proxyConfig }) : result
  }

  const refresh = async (req: Request, allowExpired: boolean): Promise<AuthResult> => {
    const token = bearerToken(req)
    if (!token) throw authRequired(undefined, 'AuthMissing')
    let verified
    try {
      verified = await verifyBearer(deps.key, token, { typ: 'refresh+jwt', audience: deps.serviceDid, scopes: [AuthScope.Refresh] })
    } catch (err) {
      if (!allowExpired || (err as { code?: string }).code !== 'ExpiredToken') throw err
      verified = await verifyExpiredRefresh(deps, token)
    }
    if (!verified.jti) throw authRequired('Unexpected missing refresh token id', 'MissingTokenId')
    return { type: 'refresh', did: verified.sub, tokenId: verified.jti, scope: verified.scope }
  }

  const service = async (req: Request, nsid: string): Promise<AuthResult> => {
    const token = bearerToken(req)
    if (!token) throw authRequired('missing jwt', 'MissingJwt')
    const payload = await verifyServiceJwt(token, { aud: deps.serviceDid, lxm: nsid, resolveDidKey: deps.signingKeyOf })
    return { type: 'service', iss: payload.iss, aud: payload.aud, lxm: payload.lxm, did: payload.iss.split('#')[0]! }
  }

  const verify = async (kind: AuthKind, { req, nsid }: { req: Request; nsid: string }): Promise<AuthResult> => {
    const header = req.headers.get('authorization')
    const standard = { checkDeactivated: true, checkTakedown: true }
    switch (kind) {
      case 'none':
        return { type: 'none' }
      case 'optionalAccess':
        return header ? access(req, ACCESS_STANDARD, standard, { nsid, kind }) : { type: 'none' }
      case 'access':
        return access(req, ACCESS_STANDARD, standard, { nsid, kind })
      case 'accessFull':
        return access(req, ACCESS_FULL, standard, { nsid, kind })
      case 'accessPrivileged':
        return access(req, ACCESS_PRIVILEGED, standard, { nsid, kind })
      case 'accessProxied':
        return access(req, ACCESS_STANDARD, { checkDeactivated: false, checkTakedown: false }, { nsid, kind })
      case 'accessDeactivated':
        return access(req, [...ACCESS_STANDARD, AuthScope.Takendown], { checkDeactivated: false, checkTakedown: false }, { nsid, kind })
      case 'refresh':
        return refresh(req, nsid === 'com.atproto.server.deleteSession')
      case 'admin':
        if (!parseBasicAuth(header)) throw authRequired()
        if (!isAdmin(req, deps.adminPassword)) throw authRequired()
        return { type: 'admin' }
      case 'accessOrAdmin':
        if (hasAuthScheme(header, 'Basic')) return verify('admin', { req, nsid })
        return access(req, ACCESS_STANDARD, standard, { nsid, kind })
      case 'service':
        return service(req, nsid)
    }
  }
  return verify
}

/** deleteSession accepts an expired refresh token (the reference's allowExpired). */
async function verifyExpiredRefresh(deps: VerifierDeps, token: string) {
  const jose = await import('jose')
  const { payload } = await jose.jwtVerify(token, deps.key, {
    typ: 'refresh+jwt',
    audience: deps.serviceDid,
    algorithms: ['HS256'],
    currentDate: new Date(0),
  }).catch(() => {
    throw invalidInput('Token could not be verified', 'InvalidToken')
  })
  if (payload.scope !== AuthScope.Refresh || typeof payload.sub !== 'string') throw invalidInput('Bad token scope', 'InvalidToken')
  return { sub: payload.sub, aud: String(payload.aud), scope: AuthScope.Refresh, jti: payload.jti, exp: payload.exp ?? 0 }
}
