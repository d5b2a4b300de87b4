// com.atproto.repo.listRecords: a collection page ordered by rkey (newest first unless reverse).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { findActiveAccount } from '../../../_util/resolve-repo.ts'

export default defineHandler({
  nsid: 'com.atproto.repo.listRecords',
  auth: 'none',
  handler: async ({ params, services }) => {
    const { repo, collection, limit, cursor, reverse } = params as {
      repo: string
      collection: string
      limit?: number
      cursor?: string
      reverse?: boolean
    }
    const account = await findActiveAccount(services, repo)
    if (!account || !services.repo.hasRepo(account.did)) {
      throw InvalidRequestError(`Could not find repo: ${repo}`)
    }
    // The page arrives as UTF-8 JSON (records go from CBOR to JSON bytes without decoded objects or strings).
    const page = services.repo.listRecordsJson(account.did, collection, { limit: limit ?? 50, cursor, reverse: reverse ?? false })
    return new Response(page, { headers: { 'content-type': 'application/json;charset=utf-8' } })
  },
})
