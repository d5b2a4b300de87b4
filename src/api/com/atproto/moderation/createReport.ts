// Reports go to the atproto-proxy service if named, else to the configured report service.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { AuthRequiredError } from '../../../../xrpc/errors.ts'
import { callJson } from '../../../../services/proxy/index.ts'

export default defineHandler({
  nsid: 'com.atproto.moderation.createReport',
  auth: 'access',
  handler: async ({ input, auth, req, services, nsid }) => {
    if (auth.type !== 'access') throw AuthRequiredError()
    const target = await services.proxy.resolveTarget(req, nsid)
    return (await callJson(services.proxy, { target, nsid, iss: auth.did, body: input, from: req })) as Record<string, unknown>
  },
})
