// An account's OAuth sessions as a person reads them (the app's name, what it may do in words), and
// ending one: for the account web app's sessions view.
import type { OAuthContext } from './context.ts'
import { describeScope } from './scope-descriptions.ts'
import { scopeSet } from './scopes.ts'

export type OAuthSessionView = {
  id: string
  clientId: string
  clientName: string
  /** The client's host, or a note that it is a development app on this computer. */
  clientHost: string
  /** Each granted scope in plain words. */
  permissions: string[]
  createdAt: number
  lastUsedAt: number
}

export async function listOAuthSessions(ctx: OAuthContext, did: string): Promise<OAuthSessionView[]> {
  return Promise.all(
    ctx.store.listSessions(did).map(async (s) => {
      const host = URL.canParse(s.clientId) ? new URL(s.clientId).host : s.clientId
      // The name from the client's metadata when it can be had; otherwise its host is what identifies it.
      const client = await ctx.clients.getClient(s.clientId).catch(() => null)
      return {
        id: s.id,
        clientId: s.clientId,
        clientName: client?.metadata.client_name ?? host,
        clientHost: client?.isLoopback ? 'development app on this computer' : host,
        permissions: [...scopeSet(s.scope)].map((x) => describeScope(x, ctx.permissionSets)),
        createdAt: s.createdAt,
        lastUsedAt: s.updatedAt,
      }
    }),
  )
}

/** Ends one OAuth session of `did`; false when it is not (or no longer) the account's. */
export function revokeOAuthSession(ctx: OAuthContext, did: string, id: string): boolean {
  const session = ctx.store.getToken(id)
  if (!session || session.did !== did) return false
  ctx.store.deleteToken(session.id)
  return true
}
