// com.atproto.repo.describeRepo: handle, DID document and the collections a repo holds.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { assertAvailable, findAccount } from '../../../_util/resolve-repo.ts'
import { getHandle, type DidDocument } from '../../../../core/did-doc.ts'

type IdentityPort = { didDocFor?(did: string): Promise<DidDocument | null> }

export default defineHandler({
  nsid: 'com.atproto.repo.describeRepo',
  auth: 'none',
  handler: async ({ params, services }) => {
    const { repo } = params as { repo: string }
    // RepoNotFound / RepoTakendown / RepoDeactivated, for everyone (the owner included), as the reference.
    const account = assertAvailable(await findAccount(services, repo), repo, false)
    if (!services.repo.hasRepo(account.did)) throw InvalidRequestError(`Could not find repo for DID: ${repo}`, 'RepoNotFound')
    const accounts = (services as { accounts?: IdentityPort }).accounts
    const didDoc = await accounts?.didDocFor?.(account.did)
    return {
      handle: account.handle ?? 'handle.invalid',
      did: account.did,
      didDoc: didDoc ?? {},
      collections: services.repo.listCollections(account.did),
      handleIsCorrect: !!didDoc && getHandle(didDoc) === account.handle,
    }
  },
})
