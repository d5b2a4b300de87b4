import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { createServiceJwt } from '../../../../services/service-auth/index.ts'
import { PRIVILEGED_METHODS, PROTECTED_METHODS } from '../../../../services/proxy/methods.ts'

export default defineHandler<{ aud: string; exp?: number; lxm?: string }>({
  nsid: 'com.atproto.server.getServiceAuth',
  auth: 'access',
  handler: ({ auth, params, services }) => {
    const did = callerDid(auth)
    const { aud, exp, lxm = null } = params
    if (!/^did:(plc|web):[^#]+(#[A-Za-z0-9_-]+)?$/.test(aud)) throw InvalidRequestError('aud must be a valid atproto DID or did#serviceId reference')
    if (auth.type === 'access' && lxm && PRIVILEGED_METHODS.has(lxm) && !auth.isPrivileged) {
      throw InvalidRequestError(`insufficient access to request a service auth token for the following method: ${lxm}`)
    }
    if (exp) {
      const diff = exp * 1000 - Date.now()
      if (diff < 0) throw InvalidRequestError('expiration is in past', 'BadExpiration')
      if (diff > 60 * 60_000) throw InvalidRequestError('cannot request a token with an expiration more than an hour in the future', 'BadExpiration')
      if (!lxm && diff > 60_000) throw InvalidRequestError('cannot request a method-less token with an expiration more than a minute in the future', 'BadExpiration')
    }
    if (lxm && PROTECTED_METHODS.has(lxm)) throw InvalidRequestError(`cannot request a service auth token for the following protected method: ${lxm}`)
    const keypair = services.repo.signingKey(did)
    return { token: createServiceJwt({ iss: did, aud, exp, lxm, keypair }) }
  },
})
