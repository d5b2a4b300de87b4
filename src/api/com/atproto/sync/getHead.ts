// com.atproto.sync.getHead (deprecated): the repo's current commit CID.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { checkSyncRead, repoRootOrThrow } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string }>({
  nsid: 'com.atproto.sync.getHead',
  auth: 'none',
  handler: async (ctx) => {
    const { did } = ctx.params
    await checkSyncRead(ctx, did)
    return { root: repoRootOrThrow(ctx.services, did, 'HeadNotFound').cid.toString() }
  },
})
