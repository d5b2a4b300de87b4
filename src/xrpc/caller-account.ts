// The account state the verifier read for a request's caller, kept with that request's AuthResult
// so the handler's own check (resolveWritableRepo) does not read the same row again.
export type CallerAccountState = { deactivatedAt: string | null; takedownRef: string | null }

const byAuth = new WeakMap<object, CallerAccountState>()

export function rememberCallerAccount(auth: object, account: CallerAccountState): void {
  byAuth.set(auth, account)
}

/** What the verifier read for this auth result, if it read anything. */
export function callerAccount(auth: object): CallerAccountState | undefined {
  return byAuth.get(auth)
}
