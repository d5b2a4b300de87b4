// com.atproto.repo.getRecord: a record of a local active repo (optionally at a given CID); for any other
// repo the AppView's answer when one is configured, as the reference.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { findActiveAccount } from '../../../_util/resolve-repo.ts'
import { proxyCall, proxyResponse } from '../../../../xrpc/proxy-call.ts'

export default defineHandler({
  nsid: 'com.atproto.repo.getRecord',
  auth: 'none',
  handler: async ({ params, services, req, nsid }) => {
    const { repo, collection, rkey, cid } = params as { repo: string; collection: string; rkey: string; cid?: string }
    const account = await findActiveAccount(services, repo)
    if (account) {
      const uri = `at://${account.did}/${collection}/${rkey}`
      const record = services.repo.getRecord(account.did, collection, rkey, cid)
      if (!record) throw InvalidRequestError(`Could not locate record: ${uri}`, 'RecordNotFound')
      return record
    }
    const appView = services.config.bskyAppView
    if (!appView) throw InvalidRequestError('Could not locate record')
    // Forwarded without a service token; to the atproto-proxy service if named, else the AppView.
    const target = req.headers.get('atproto-proxy') ? undefined : { url: appView.url, did: appView.did }
    return proxyResponse(await services.proxy.pipethrough(proxyCall(req, nsid), { target }))
  },
})
