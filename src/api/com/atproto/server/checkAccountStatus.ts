import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'

/** Migration progress: what the repo holds here and whether the DID document points at us. */
export default defineHandler({
  nsid: 'com.atproto.server.checkAccountStatus',
  auth: 'accessDeactivated',
  handler: async ({ auth, services }) => {
    const did = callerDid(auth)
    const root = services.repo.getRepoRoot(did)
    const stats = services.repo.repoStats(did)
    const account = services.accounts.getAccount(did, { includeDeactivated: true })
    return {
      activated: !!account && !account.deactivatedAt,
      validDid: await services.accounts.isValidDidDocForService(did),
      repoCommit: root?.cid.toString() ?? '',
      repoRev: root?.rev ?? '',
      repoBlocks: stats.blocks,
      indexedRecords: stats.records,
      privateStateValues: 0,
      expectedBlobs: stats.expectedBlobs,
      importedBlobs: stats.importedBlobs,
    }
  },
})
