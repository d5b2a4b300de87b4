// com.atproto.repo.applyWrites: up to 200 creates/updates/deletes in one signed commit.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'
import { parseCidParam, WRITE_POINTS, WRITE_RATE_LIMITS } from '../../../_util/repo.ts'
import type { WriteInput } from '../../../../services/repo/service.ts'

export const MAX_WRITES = 200

const ACTIONS: Record<string, WriteInput['action']> = {
  'com.atproto.repo.applyWrites#create': 'create',
  'com.atproto.repo.applyWrites#update': 'update',
  'com.atproto.repo.applyWrites#delete': 'delete',
}

export default defineHandler({
  nsid: 'com.atproto.repo.applyWrites',
  auth: 'access',
  rateLimit: WRITE_RATE_LIMITS(({ input }) =>
    ((input as { writes?: Array<{ $type?: string }> }).writes ?? []).reduce((sum, w) => sum + (WRITE_POINTS[ACTIONS[w.$type ?? ''] ?? ''] ?? 0), 0),
  ),
  handler: async ({ input, auth, services }) => {
    const { repo, validate, swapCommit, writes } = input as { repo: string; validate?: boolean; swapCommit?: string; writes: any[] }
    const did = await resolveWritableRepo(services, auth, repo)
    if (writes.length > MAX_WRITES) throw InvalidRequestError(`Too many writes. Max: ${MAX_WRITES}`)
    const inputs = writes.map((w): WriteInput => {
      const action = ACTIONS[w.$type]
      if (!action) throw InvalidRequestError(`Action not supported: ${w.$type}`)
      return { action, collection: w.collection, rkey: w.rkey, value: w.value } as WriteInput
    })
    const { commit, results } = await services.repo.applyWrites(did, inputs, { validate, swapCommit: parseCidParam(swapCommit) })
    return {
      commit,
      results: results.map((r) =>
        r.action === 'delete'
          ? { $type: 'com.atproto.repo.applyWrites#deleteResult' }
          : { $type: `com.atproto.repo.applyWrites#${r.action}Result`, uri: r.uri, cid: r.cid, validationStatus: r.validationStatus },
      ),
    }
  },
})
