// Proxied to the AppView, with read-after-write: the account's fresh profile record.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { getProfilesMunge } from '../../../../services/read-after-write/index.ts'
import { pipethroughReadAfterWrite } from '../../../_util/read-after-write.ts'

export default defineHandler({
  nsid: 'app.bsky.actor.getProfiles',
  auth: 'accessDeactivated', // the owner of a deactivated account keeps its own reads, as the reference
  handler: (ctx) => pipethroughReadAfterWrite(ctx, getProfilesMunge),
})
