// A custom feed: the AppView names the generator's service DID; the call then goes through the AppView with
// a service JWT addressed to the generator (aud = its DID, lxm = getFeedSkeleton), as the reference does.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { accessCallerDid } from '../../../../xrpc/auth.ts'
import { XRPCError } from '../../../../xrpc/errors.ts'
import { callJson } from '../../../../services/proxy/index.ts'
import { proxyCall, proxyResponse } from '../../../../xrpc/proxy-call.ts'

export default defineHandler<{ feed: string }>({
  nsid: 'app.bsky.feed.getFeed',
  auth: 'access',
  handler: async ({ params, auth, req, services, nsid }) => {
    const did = accessCallerDid(auth)
    const call = proxyCall(req, nsid)
    const appView = await services.proxy.resolveTarget(call)
    const generator = (await callJson(services.proxy, {
      target: appView,
      nsid: 'app.bsky.feed.getFeedGenerator',
      iss: did,
      params: { feed: params.feed },
      from: call.headers,
    })) as { view?: { did?: unknown } } | undefined
    const feedDid = generator?.view?.did
    if (typeof feedDid !== 'string') throw new XRPCError(502, 'UpstreamFailure', 'AppView returned no feed generator DID')
    return proxyResponse(await services.proxy.pipethrough(call, { iss: did, aud: feedDid, lxm: 'app.bsky.feed.getFeedSkeleton', target: appView }))
  },
})
