// app.bsky.actor.getPreferences: the account's app.bsky preferences stored on the PDS.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { hasAccessFull } from '../../../_util/resolve-repo.ts'

export default defineHandler({
  nsid: 'app.bsky.actor.getPreferences',
  auth: 'accessDeactivated',
  handler: ({ auth, services }) => {
    const did = callerDid(auth)
    return { preferences: services.repo.getPreferences(did, 'app.bsky', { privileged: hasAccessFull(auth) }) }
  },
})
