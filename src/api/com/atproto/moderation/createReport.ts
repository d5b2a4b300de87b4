// Reports go to the atproto-proxy service if named, else to the configured report service.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { accessCallerDid } from '../../../../xrpc/auth.ts'
import { callJson } from '../../../../services/proxy/index.ts'
import { proxyCall } from '../../../../xrpc/proxy-call.ts'

export default defineHandler({
  nsid: 'com.atproto.moderation.createReport',
  auth: 'access',
  handler: async ({ input, auth, req, services, nsid }) => {
    const did = accessCallerDid(auth)
    const call = proxyCall(req, nsid)
    const target = await services.proxy.resolveTarget(call)
    return (await callJson(services.proxy, { target, nsid, iss: did, body: input, from: call.headers })) as Record<string, unknown>
  },
})
