// com.atproto.repo.createRecord: one create through the applyWrites path. With validation on,
// an older like/repost/follow/block of the same subject is deleted in the same commit (reference).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'
import { parseCidParam, WRITE_POINTS, WRITE_RATE_LIMITS, recordWriteOutput } from '../../../_util/repo.ts'

export default defineHandler({
  nsid: 'com.atproto.repo.createRecord',
  auth: 'access',
  rateLimit: WRITE_RATE_LIMITS(WRITE_POINTS.create!),
  handler: async ({ input, auth, services }) => {
    const { repo, collection, rkey, record, validate, swapCommit } = input
    const did = await resolveWritableRepo(services, auth, repo)
    const write = services.repo.prepare(did, { action: 'create', collection, rkey, value: record }, validate)
    const commit = await services.repo.commitWrites(did, [write], {
      swapCommit: parseCidParam(swapCommit),
      dedupeBacklinks: validate !== false,
    })
    return recordWriteOutput(write, commit)
  },
})
