// The router's fallback for methods without a local handler: checks the caller as the reference's
// pipethrough does, then lets the proxy service forward the call as that account.
import { isValidNsid } from '../core/syntax/index.ts'
import { PRIVILEGED_METHODS, PROTECTED_METHODS } from '../services/proxy/methods.ts'
import type { ProxyService } from '../services/proxy/proxy-service.ts'
import { authResponseHeaders, type AuthVerifier } from './auth.ts'
import type { FallbackHandler } from './dispatch.ts'
import { InvalidRequestError } from './errors.ts'
import { proxyCall, proxyResponse } from './proxy-call.ts'

export function proxyFallback(proxy: ProxyService, verifyAuth: AuthVerifier): FallbackHandler {
  return async (nsid, req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      throw InvalidRequestError('XRPC requests only supports GET and POST')
    }
    if (!isValidNsid(nsid)) throw InvalidRequestError('invalid xrpc path')
    if (PROTECTED_METHODS.has(nsid)) throw InvalidRequestError('Bad token method', 'InvalidToken')
    // Nobody to send it to; refused before auth, as the reference's parseProxyInfo.
    const call = proxyCall(req, nsid)
    if (!proxy.hasTarget(call)) throw InvalidRequestError(`No service configured for ${nsid}`)
    const auth = await verifyAuth('accessProxied', { req, nsid })
    if (auth.type !== 'access') throw InvalidRequestError('Bad token method', 'InvalidToken')
    if (!auth.isPrivileged && PRIVILEGED_METHODS.has(nsid)) throw InvalidRequestError('Bad token method', 'InvalidToken')
    const res = proxyResponse(await proxy.forwardCall(call, auth.did))
    for (const [k, v] of Object.entries(authResponseHeaders(auth))) res.headers.set(k, v) // DPoP-Nonce for OAuth callers
    return res
  }
}
