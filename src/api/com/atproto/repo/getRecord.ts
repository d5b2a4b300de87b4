// com.atproto.repo.getRecord: a record of a local repo (optionally at a given CID).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { findAccount } from '../../../_util/resolve-repo.ts'

export default defineHandler({
  nsid: 'com.atproto.repo.getRecord',
  auth: 'none',
  handler: async ({ params, services }) => {
    const { repo, collection, rkey, cid } = params as { repo: string; collection: string; rkey: string; cid?: string }
    const account = await findAccount(services, repo)
    const uri = `at://${account?.did ?? repo}/${collection}/${rkey}`
    const record = account && !account.takedownRef ? services.repo.getRecord(account.did, collection, rkey, cid) : null
    if (!record) throw InvalidRequestError(`Could not locate record: ${uri}`, 'RecordNotFound')
    return record
  },
})
