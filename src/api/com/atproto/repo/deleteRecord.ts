// com.atproto.repo.deleteRecord: deleting a record that does not exist is a no-op (reference).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'
import { parseCidParam, parseSwapRecord, WRITE_POINTS, WRITE_RATE_LIMITS } from '../../../_util/repo.ts'

export default defineHandler({
  nsid: 'com.atproto.repo.deleteRecord',
  auth: 'access',
  rateLimit: WRITE_RATE_LIMITS(WRITE_POINTS.delete!),
  handler: async ({ input, auth, services }) => {
    const { repo, collection, rkey, swapCommit, swapRecord } = input
    const did = await resolveWritableRepo(services, auth, repo)
    const write = services.repo.prepare(did, { action: 'delete', collection, rkey }, undefined, parseSwapRecord(swapRecord))
    const commit = await services.repo.commitWrites(did, [write], { swapCommit: parseCidParam(swapCommit), skipMissingDelete: true })
    return { commit: commit ?? undefined }
  },
})
