// Reports go to the atproto-proxy service if named, else to the configured report service.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { accessCallerDid } from '../../../../xrpc/auth.ts'
import { callJson } from '../../../../services/proxy/index.ts'

export default defineHandler({
  nsid: 'com.atproto.moderation.createReport',
  auth: 'access',
  handler: async ({ input, auth, req, services, nsid }) => {
    const did = accessCallerDid(auth)
    const target = await services.proxy.resolveTarget(req, nsid)
    return (await callJson(services.proxy, { target, nsid, iss: did, body: input, from: req })) as Record<string, unknown>
  },
})
