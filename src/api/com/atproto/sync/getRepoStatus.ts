// com.atproto.sync.getRepoStatus: whether the account is active, and its rev when it is.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { assertRepoAvailability } from '../../../_util/sync-access.ts'

export default defineHandler<{ did: string }>({
  nsid: 'com.atproto.sync.getRepoStatus',
  auth: 'none',
  handler: ({ params, services }) => {
    const account = assertRepoAvailability(services, params.did, true)
    const rev = account.active ? services.repo.getRepoRoot(account.did)?.rev : undefined
    return {
      did: account.did,
      active: account.active,
      ...(account.status ? { status: account.status } : {}),
      ...(rev ? { rev } : {}),
    }
  },
})
