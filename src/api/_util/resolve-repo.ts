// Which repo a request names, and whether the caller may write to it (the reference's findAccount).
import { authDid, type AuthResult } from '../../xrpc/auth.ts'
import { authRequired, invalidInput } from '../../services/errors.ts'
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
  if (!account) throw invalidInput(`Could not find repo: ${repo}`)
  if (account.takedownRef) throw authRequired('Account has been taken down', 'AccountTakedown')
  if (account.deactivatedAt && !opts.allowDeactivated) throw invalidInput('Account is deactivated', 'AccountDeactivated')
  if (authDid(auth) !== account.did) throw authRequired()
  return account.did
}

/** Full access (not an app password, not OAuth): may see and set personal details preferences. */
export function hasAccessFull(auth: AuthResult): boolean {
  return auth.type === 'access' && auth.scope === 'com.atproto.access' && !auth.appPassword
}
