// com.atproto.sync.listBlobs: CIDs of the blobs the repo's records reference, optionally since a rev.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { checkSyncRead } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string; since?: string; limit: number; cursor?: string }>({
  nsid: 'com.atproto.sync.listBlobs',
  auth: 'none',
  handler: async (ctx) => {
    const { did, since, limit, cursor } = ctx.params
    await checkSyncRead(ctx, did)
    const cids = ctx.services.repo.hasRepo(did) ? ctx.services.repo.listBlobs(did, { since, cursor, limit }) : []
    return { ...(cids.length > 0 ? { cursor: cids.at(-1) } : {}), cids }
  },
})
