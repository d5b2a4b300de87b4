// Token scopes, as the reference's auth-scope.ts.
export const AuthScope = {
  Access: 'com.atproto.access',
  Refresh: 'com.atproto.refresh',
  AppPass: 'com.atproto.appPass',
  AppPassPrivileged: 'com.atproto.appPassPrivileged',
  SignupQueued: 'com.atproto.signupQueued',
  Takendown: 'com.atproto.takendown',
} as const
export type AuthScope = (typeof AuthScope)[keyof typeof AuthScope]

export const ACCESS_FULL: readonly string[] = [AuthScope.Access]
export const ACCESS_PRIVILEGED: readonly string[] = [...ACCESS_FULL, AuthScope.AppPassPrivileged]
export const ACCESS_STANDARD: readonly string[] = [...ACCESS_PRIVILEGED, AuthScope.AppPass]

/** Scoped app passwords carry the plain app-password scope: their own permissions decide (appPassScope). */
export function scopeForAppPassword(appPassword: { privileged: boolean; scope?: string | null } | null): AuthScope {
  if (!appPassword) return AuthScope.Access
  if (appPassword.scope) return AuthScope.AppPass
  return appPassword.privileged ? AuthScope.AppPassPrivileged : AuthScope.AppPass
}
