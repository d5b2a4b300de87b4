// com.atproto.sync.listRepos: every hosted repo with its head, rev and status, oldest account first.
import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler<{ limit: number; cursor?: string }>({
  nsid: 'com.atproto.sync.listRepos',
  auth: 'none',
  handler: ({ params, services }) => {
    const page = services.accounts.listAccounts(params.cursor, params.limit)
    const repos = []
    for (const account of page.accounts) {
      // As the reference's inner join with repo_root (account.sqlite): an account without a repo is
      // not listed, and no actor store is opened.
      const root = services.accounts.getRepoRoot(account.did)
      if (!root) continue
      repos.push({
        did: account.did,
        head: root.cid.toString(),
        rev: root.rev,
        active: account.active,
        ...(account.status ? { status: account.status } : {}),
      })
    }
    return { ...(page.cursor ? { cursor: page.cursor } : {}), repos }
  },
})
