// How each read-after-write method folds the account's fresh records into the AppView's answer
// (reference: pds/src/api/app/bsky/*: getProfileMunge, getTimelineMunge, getAuthorMunge, ...).
import type { LocalRecords } from './local-records.ts'
import type { LocalViewer } from './viewer.ts'

type Body = Record<string, any>
export type MungeFn = (viewer: LocalViewer, original: Body, local: LocalRecords, requester: string) => Body

const mapOwnAuthors = (feed: Body[], viewer: LocalViewer, local: LocalRecords, requester: string) => {
  const profile = local.profile?.record
  if (!profile) return feed
  return feed.map((item) =>
    item.post?.author?.did === requester ? { ...item, post: { ...item.post, author: viewer.updateProfileBasic(item.post.author, profile) } } : item,
  )
}

export const getProfileMunge: MungeFn = (viewer, original, local, requester) => {
  if (!local.profile || original.did !== requester) return original
  return viewer.updateProfileDetailed(original, local.profile.record)
}

export const getProfilesMunge: MungeFn = (viewer, original, local, requester) => {
  const profile = local.profile?.record
  if (!profile) return original
  return { ...original, profiles: (original.profiles ?? []).map((p: Body) => (p.did === requester ? viewer.updateProfileDetailed(p, profile) : p)) }
}

export const getTimelineMunge: MungeFn = (viewer, original, local) => ({
  ...original,
  feed: viewer.insertPostsInFeed(original.feed ?? [], local.posts),
})

/** Only the requester's own feed gets their new posts; every feed gets their fresh profile. */
export const getAuthorFeedMunge: MungeFn = (viewer, original, local, requester) => {
  const feed = mapOwnAuthors(original.feed ?? [], viewer, local, requester)
  const own = feed.length === 0 || feed[0]?.post?.author?.did === requester
  return { ...original, feed: own ? viewer.insertPostsInFeed(feed, local.posts) : feed }
}

export const getActorLikesMunge: MungeFn = (viewer, original, local, requester) => ({
  ...original,
  feed: mapOwnAuthors(original.feed ?? [], viewer, local, requester),
})

/** Adds the requester's new replies under the posts they answer, anywhere in the thread. */
export const getPostThreadMunge: MungeFn = (viewer, original, local, requester) => {
  if (original.thread?.$type !== 'app.bsky.feed.defs#threadViewPost') return original
  const profile = local.profile?.record
  const visit = (node: Body): Body => {
    if (node?.$type !== 'app.bsky.feed.defs#threadViewPost') return node
    let post = node.post
    if (profile && post.author?.did === requester) post = { ...post, author: viewer.updateProfileBasic(post.author, profile) }
    const replies = (node.replies ?? []).map(visit)
    for (const local of localReplies) {
      if (local.record.reply?.parent?.uri === post.uri && !replies.some((r: Body) => r.post?.uri === local.uri)) {
        replies.push({ $type: 'app.bsky.feed.defs#threadViewPost', post: viewer.postView(local), replies: [] })
      }
    }
    const parent = node.parent ? visit(node.parent) : undefined
    return { ...node, post, ...(parent ? { parent } : {}), replies }
  }
  const localReplies = local.posts.filter((p) => p.record.reply?.parent?.uri)
  return { ...original, thread: visit(original.thread) }
}
