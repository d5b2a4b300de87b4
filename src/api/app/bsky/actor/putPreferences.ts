// app.bsky.actor.putPreferences: replaces the account's app.bsky preferences.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { hasAccessFull } from '../../../_util/resolve-repo.ts'

export default defineHandler({
  nsid: 'app.bsky.actor.putPreferences',
  auth: 'accessDeactivated',
  handler: ({ input, auth, services }) => {
    const did = callerDid(auth)
    services.repo.putPreferences(did, (input as { preferences: unknown[] }).preferences, 'app.bsky', { privileged: hasAccessFull(auth) })
  },
})
