import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../_util/accounts.ts'

/** Migration progress: what the repo holds here and whether the DID document points at us. */
export default defineHandler({
  nsid: 'com.atproto.server.checkAccountStatus',
  auth: 'accessDeactivated',
  handler: async ({ auth, services }) => {
    const did = callerDid(auth)
    const root = services.repo.getRepoRoot(did)
    const store = services.repo.db(did)
    const blobs = store.blobCounts()
    const account = services.accounts.getAccount(did, { includeDeactivated: true })
    return {
      activated: !!account && !account.deactivatedAt,
      validDid: await services.accounts.isValidDidDocForService(did),
      repoCommit: root?.cid.toString() ?? '',
      repoRev: root?.rev ?? '',
      repoBlocks: store.countBlocks(),
      indexedRecords: store.countRecords(),
      privateStateValues: 0,
      expectedBlobs: blobs.expected,
      importedBlobs: blobs.imported,
    }
  },
})
