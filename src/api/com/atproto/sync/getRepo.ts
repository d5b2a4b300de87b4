// com.atproto.sync.getRepo: the whole repo as a streamed CAR, or only the blocks newer than `since`.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { carResponse, checkSyncRead } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string; since?: string }>({
  nsid: 'com.atproto.sync.getRepo',
  auth: 'none',
  // The reference's limit for this (expensive) method.
  rateLimit: [{ name: 'repo-export', durationMs: 5 * 60 * 1000, points: 6000 }],
  handler: async (ctx) => {
    const { did, since } = ctx.params
    await checkSyncRead(ctx, did)
    const repo = ctx.services.repo
    if (!repo.getRepoRoot(did)) throw InvalidRequestError(`Could not find repo for DID: ${did}`)
    if (since) return carResponse(repo.exportCar(did, since))
    // The whole repo: every stored block, straight from the actor store (see storage/actor/repo-car.ts).
    const car = repo.exportFullCar(did)
    if (!car) throw InvalidRequestError(`Could not find repo for DID: ${did}`)
    return carResponse(car)
  },
})
