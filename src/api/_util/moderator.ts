// Moderator auth for com.atproto.admin.*: the operator's Basic admin password, or a service JWT from the
// configured moderation service (PDS_MOD_SERVICE_DID, also as its #atproto_labeler), as the reference.
import { isAdmin } from '../../xrpc/auth.ts'
import { authRequired } from '../../services/errors.ts'
import type { HandlerContext } from '../../xrpc/handler.ts'
import { getSigningKey } from '../../core/did-doc.ts'
import { bearerToken } from '../../xrpc/auth-scheme.ts'
import { verifyServiceJwt } from '../../services/service-auth/jwt.ts'

export type ModeratorAuth = { type: 'admin' } | { type: 'modService'; iss: string }

export async function assertModerator(ctx: Pick<HandlerContext, 'req' | 'nsid' | 'services'>): Promise<ModeratorAuth> {
  const { req, nsid, services } = ctx
  if (isAdmin(req, services.config.secrets.adminPassword)) return { type: 'admin' }
  const token = bearerToken(req)
  const modDid = services.config.modService?.did
  if (!token || !modDid) throw authRequired('Unexpected authorization type')
  const trusted = [modDid, `${modDid}#atproto_labeler`]
  const payload = await verifyServiceJwt(token, {
    aud: services.config.service.did,
    lxm: nsid,
    resolveDidKey: async (iss) => {
      if (!trusted.includes(iss)) throw authRequired('Untrusted issuer', 'UntrustedIss')
      const doc = await services.accounts.didDocFor(iss.split('#')[0]!)
      const key = doc && getSigningKey(doc)
      if (!key) throw authRequired('missing or bad key in did doc')
      return key
    },
  })
  return { type: 'modService', iss: payload.iss }
}
