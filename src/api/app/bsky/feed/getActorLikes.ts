// Proxied to the AppView, with read-after-write: the account's fresh profile on its own posts.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { getActorLikesMunge, pipethroughReadAfterWrite } from '../../../../services/read-after-write/index.ts'

export default defineHandler({
  nsid: 'app.bsky.feed.getActorLikes',
  auth: 'access',
  handler: (ctx) => pipethroughReadAfterWrite(ctx, getActorLikesMunge),
})
