// com.atproto.sync.getCheckout (deprecated): the current repo as a CAR, like getRepo without `since`.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { carResponse, checkSyncRead } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string }>({
  nsid: 'com.atproto.sync.getCheckout',
  auth: 'none',
  handler: async (ctx) => {
    const { did } = ctx.params
    await checkSyncRead(ctx, did)
    if (!ctx.services.repo.getRepoRoot(did)) throw InvalidRequestError(`Could not find repo for DID: ${did}`)
    return carResponse(ctx.services.repo.exportCar(did))
  },
})
