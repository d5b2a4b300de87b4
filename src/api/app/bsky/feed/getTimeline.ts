// Proxied to the AppView, with read-after-write: the account's posts the AppView has not indexed yet.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { getTimelineMunge } from '../../../../services/read-after-write/index.ts'
import { pipethroughReadAfterWrite } from '../../../_util/read-after-write.ts'

export default defineHandler({
  nsid: 'app.bsky.feed.getTimeline',
  auth: 'accessDeactivated', // the owner of a deactivated account keeps its own reads, as the reference
  handler: (ctx) => pipethroughReadAfterWrite(ctx, getTimelineMunge),
})
