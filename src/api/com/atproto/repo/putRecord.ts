// com.atproto.repo.putRecord: create or update one record; no commit when the record is unchanged.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'
import { parseCidParam, parseSwapRecord, WRITE_POINTS, WRITE_RATE_LIMITS, recordWriteOutput } from '../../../_util/repo.ts'

export default defineHandler({
  nsid: 'com.atproto.repo.putRecord',
  auth: 'access',
  rateLimit: WRITE_RATE_LIMITS(WRITE_POINTS.update!),
  handler: async ({ input, auth, services }) => {
    const { repo, collection, rkey, record, validate, swapCommit, swapRecord } = input
    const did = await resolveWritableRepo(services, auth, repo)
    const write = services.repo.prepare(did, { action: 'create', collection, rkey, value: record }, validate, parseSwapRecord(swapRecord))
    const commit = await services.repo.commitWrites(did, [write], { swapCommit: parseCidParam(swapCommit), upsert: true })
    return recordWriteOutput(write, commit)
  },
})
