// com.atproto.sync.getBlocks: the requested blocks of one repo as a CAR with no root.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { CID, parseCid } from '../../../../core/cbor.ts'
import { carToBytes } from '../../../../core/car.ts'
import { checkSyncRead } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string; cids: string[] }>({
  nsid: 'com.atproto.sync.getBlocks',
  auth: 'none',
  handler: async (ctx) => {
    const { did } = ctx.params
    await checkSyncRead(ctx, did)
    const cids = ctx.params.cids.map((c) => parseCid(c))
    const reader = ctx.services.repo.blockReader(did)
    const blocks: Array<{ cid: CID; bytes: Uint8Array }> = []
    const missing: string[] = []
    for (const cid of cids) {
      const bytes = reader.get(cid)
      if (bytes) blocks.push({ cid, bytes })
      else missing.push(cid.toString())
    }
    if (missing.length > 0) throw InvalidRequestError(`Could not find cids: ${missing.join(',')}`)
    return new Response(carToBytes(null, blocks), { headers: { 'content-type': 'application/vnd.ipld.car' } })
  },
})
