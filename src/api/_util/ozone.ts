// What every tools.ozone.* handler shares: whether the bundled moderation service answers this call (else
// it is proxied as before), and who the caller is on the team: a member's session on this server, a
// member's service JWT (another PDS forwarding for them, aud = the team DID), or the operator's admin password.
import type { HandlerContext } from '../../xrpc/handler.ts'
import type { Services } from '../../xrpc/services.ts'
import { isAdmin } from '../../xrpc/auth.ts'
import { bearerToken, hasAuthScheme } from '../../xrpc/auth-scheme.ts'
import type { AuthKind } from '../../xrpc/auth.ts'
import { authRequired } from '../../services/errors.ts'
import { verifyServiceJwt } from '../../services/service-auth/index.ts'
import { isTriage, ROLE, type Caller } from '../../services/moderation/team.ts'

function jwtParts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | null {
  const [h, p] = token.split('.')
  try {
    return { header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')), payload: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) }
  } catch {
    return null
  }
}

/** A service JWT (signed with a DID key) rather than one of our session tokens (HS256). */
function serviceJwtOf(req: Request): { token: string; aud: unknown } | null {
  let token: string | undefined
  try {
    token = bearerToken(req)
  } catch {
    return null
  }
  const parts = token ? jwtParts(token) : null
  if (!token || !parts || parts.header.alg === 'HS256') return null
  return { token, aud: parts.payload.aud }
}

const teamAudiences = (team: string) => [team, `${team}#atproto_labeler`]

/** A call made with a service JWT (another service speaking for an account), not one of our sessions. */
export const isServiceJwtCall = (req: Request) => serviceJwtOf(req) !== null

/**
 * The bundled service answers when it is on and the call is for it: an atproto-proxy header naming the
 * team, a service JWT addressed to the team, or (no header) when no external moderation service is configured.
 */
export function forModerationTeam(services: Services, req: Request): boolean {
  const team = services.moderation.teamDid()
  if (!team) return false
  const header = req.headers.get('atproto-proxy')
  if (header) return header.split('#')[0] === team
  const service = serviceJwtOf(req)
  if (service) return teamAudiences(team).includes(String(service.aud))
  return !services.config.modService
}

/**
 * The handlers' auth kind: our session tokens (and OAuth) go through the standard verifier, so scopes,
 * account status and DPoP nonces apply as everywhere; service JWTs and the admin password are checked here.
 */
export const teamAuth = (req: Request): AuthKind => (isServiceJwtCall(req) || hasAuthScheme(req.headers.get('authorization'), 'Basic') ? 'none' : 'access')

/** The calling account, from the verified session (ctx.auth) or a service JWT addressed to the team. */
export async function callingAccount(ctx: Pick<HandlerContext, 'req' | 'nsid' | 'services' | 'auth'>): Promise<string> {
  const { req, nsid, services } = ctx
  if (ctx.auth.type === 'access') return ctx.auth.did
  const team = services.moderation.teamDid()
  const service = serviceJwtOf(req)
  if (service && team) {
    const payload = await verifyServiceJwt(service.token, {
      aud: null,
      lxm: nsid,
      resolveDidKey: async (iss) => {
        const key = (await services.accounts.atprotoDataFor(iss.split('#')[0]!))?.signingKey
        if (!key) throw authRequired('could not resolve the issuer\'s signing key')
        return key
      },
    })
    if (!teamAudiences(team).includes(payload.aud)) throw authRequired('jwt audience does not match service did', 'BadJwtAudience')
    return payload.iss.split('#')[0]!
  }
  throw authRequired()
}

/** A team member (triage or above unless `anyRole`); 401 for everyone else, as Ozone. */
export async function teamCaller(ctx: Pick<HandlerContext, 'req' | 'nsid' | 'services' | 'auth'>, opts: { anyRole?: boolean } = {}): Promise<Caller> {
  const moderation = ctx.services.moderation
  if (isAdmin(ctx.req, ctx.services.config.secrets.adminPassword)) {
    const operator = moderation.operator()
    if (operator) return operator
  }
  const did = await callingAccount(ctx)
  const caller = moderation.callerFor(did)
  if (!caller) throw authRequired('not a moderator account')
  if (!opts.anyRole && !isTriage(caller)) throw authRequired('not a moderator account')
  return caller
}

export { ROLE }
