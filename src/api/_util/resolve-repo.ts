// Which repo a request names, and whether the caller may write to it (the reference's findAccount).
import { authDid, type AuthResult } from '../../xrpc/auth.ts'
import { AuthRequiredError, ForbiddenError, InvalidRequestError } from '../../xrpc/errors.ts'
import type { Services } from '../../xrpc/services.ts'
import { callerAccount } from '../../xrpc/caller-account.ts'

type AccountLike = { did: string; handle: string | null; deactivatedAt: string | null; takedownRef: string | null }
type AccountsPort = { getAccount(handleOrDid: string, flags?: { includeDeactivated?: boolean; includeTakenDown?: boolean }): AccountLike | null | Promise<AccountLike | null> }

function accountsOf(services: Services): AccountsPort | undefined {
  return (services as { accounts?: AccountsPort }).accounts
}

/** The account behind a handle or DID, including deactivated and taken-down ones. */
export async function findAccount(services: Services, repo: string): Promise<AccountLike | null> {
  const accounts = accountsOf(services)
  if (accounts) return (await accounts.getAccount(repo, { includeDeactivated: true, includeTakenDown: true })) ?? null
  // Without the accounts service only DIDs with a local repo resolve.
  return services.repo.hasRepo(repo) ? { did: repo, handle: null, deactivatedAt: null, takedownRef: null } : null
}

/**
 * The account behind a handle or DID while it is active, else null (the reference's getDidForActor). The
 * public com.atproto.repo reads serve nothing of a deactivated, taken-down or deleted account, to anyone:
 * its owner reads it through com.atproto.sync.* (assertRepoAvailability), as with the reference.
 */
export async function findActiveAccount(services: Services, repo: string): Promise<AccountLike | null> {
  const account = await findAccount(services, repo)
  return account && !account.takedownRef && !account.deactivatedAt ? account : null
}

/**
 * The one rule for an inactive account's repo on the public read paths (the reference's
 * assertRepoAvailability): RepoNotFound, else RepoTakendown, else RepoDeactivated, unless the caller is
 * its owner or the admin. com.atproto.sync.* and describeRepo use it; getRecord/listRecords use
 * findActiveAccount.
 */
export function assertAvailable<T extends AccountLike>(account: T | null, handleOrDid: string, isAdminOrSelf: boolean): T {
  if (!account) throw InvalidRequestError(`Could not find repo for DID: ${handleOrDid}`, 'RepoNotFound')
  if (isAdminOrSelf) return account
  if (account.takedownRef) throw InvalidRequestError(`Repo has been takendown: ${handleOrDid}`, 'RepoTakendown')
  if (account.deactivatedAt) throw InvalidRequestError(`Repo has been deactivated: ${handleOrDid}`, 'RepoDeactivated')
  return account
}

/** The DID the caller may write to: `repo` must be their own active account. */
export async function resolveWritableRepo(
  services: Services,
  auth: AuthResult,
  repo: string,
  opts: { allowDeactivated?: boolean } = {},
): Promise<string> {
  // The caller's own repo by DID: the verifier has just read this account row for this request.
  const known = authDid(auth) === repo ? callerAccount(auth) : undefined
  const account = known ? { did: repo, ...known } : await findAccount(services, repo)
  if (!account) {
    // A deleted account's leftover token: the reference's status check answers 403 AccountNotFound.
    if (authDid(auth) === repo) throw ForbiddenError('Account not found', 'AccountNotFound')
    throw InvalidRequestError(`Could not find repo: ${repo}`)
  }
  if (account.takedownRef) throw AuthRequiredError('Account has been taken down', 'AccountTakedown')
  if (account.deactivatedAt && !opts.allowDeactivated) throw InvalidRequestError('Account is deactivated', 'AccountDeactivated')
  if (authDid(auth) !== account.did) throw AuthRequiredError()
  return account.did
}

/** Full access (not an app password, not OAuth): may see and set personal details preferences. */
export function hasAccessFull(auth: AuthResult): boolean {
  return auth.type === 'access' && auth.scope === 'com.atproto.access' && !auth.appPassword
}
