// com.atproto.sync.getRepo: the whole repo as a streamed CAR, or only the blocks newer than `since`.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { carResponse, checkSyncRead } from '../../../../services/sequencer/sync-access.ts'

export default defineHandler<{ did: string; since?: string }>({
  nsid: 'com.atproto.sync.getRepo',
  auth: 'none',
  // The reference's limit for this (expensive) method.
  rateLimit: [{ name: 'repo-export', durationMs: 5 * 60 * 1000, points: 6000 }],
  handler: async (ctx) => {
    const { did, since } = ctx.params
    await checkSyncRead(ctx, did)
    if (!ctx.services.repo.getRepoRoot(did)) throw InvalidRequestError(`Could not find repo for DID: ${did}`)
    return carResponse(ctx.services.repo.exportCar(did, since))
  },
})
