// com.atproto.sync.getRecord: a CAR proving the record's presence (or absence) under the current
// commit: the commit block, the MST nodes on the key's path, and the record block.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { carToBytes } from '../../../../core/car.ts'
import { checkSyncRead } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string; collection: string; rkey: string }>({
  nsid: 'com.atproto.sync.getRecord',
  auth: 'none',
  handler: async (ctx) => {
    const { did, collection, rkey } = ctx.params
    await checkSyncRead(ctx, did)
    if (!ctx.services.repo.getRepoRoot(did)) throw InvalidRequestError(`Could not find repo for DID: ${did}`)
    const { root, blocks } = ctx.services.repo.getRecordBlocks(did, collection, rkey)
    return new Response(carToBytes(root, blocks), { headers: { 'content-type': 'application/vnd.ipld.car' } })
  },
})
