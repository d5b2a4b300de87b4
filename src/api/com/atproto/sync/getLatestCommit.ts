// com.atproto.sync.getLatestCommit: the repo's current commit CID and rev.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { checkSyncRead, repoRootOrThrow } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string }>({
  nsid: 'com.atproto.sync.getLatestCommit',
  auth: 'none',
  handler: async (ctx) => {
    const { did } = ctx.params
    await checkSyncRead(ctx, did)
    const root = repoRootOrThrow(ctx.services, did)
    return { cid: root.cid.toString(), rev: root.rev }
  },
})
