// com.atproto.repo.describeRepo: handle, DID document and the collections a repo holds.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { findAccount } from '../../../_util/resolve-repo.ts'

type IdentityPort = { didDocFor?(did: string): Promise<Record<string, unknown> | null> }

export default defineHandler({
  nsid: 'com.atproto.repo.describeRepo',
  auth: 'none',
  handler: async ({ params, services }) => {
    const { repo } = params as { repo: string }
    const account = await findAccount(services, repo)
    if (!account || account.takedownRef || !services.repo.hasRepo(account.did)) {
      throw InvalidRequestError(`Could not find user: ${repo}`)
    }
    const accounts = (services as { accounts?: IdentityPort }).accounts
    const didDoc = (await accounts?.didDocFor?.(account.did)) ?? {}
    const handle = account.handle ?? 'handle.invalid'
    const alsoKnownAs = (didDoc as { alsoKnownAs?: unknown }).alsoKnownAs
    const handleIsCorrect = Array.isArray(alsoKnownAs) && alsoKnownAs.includes(`at://${handle}`)
    return {
      handle,
      did: account.did,
      didDoc,
      collections: services.repo.listCollections(account.did),
      handleIsCorrect,
    }
  },
})
