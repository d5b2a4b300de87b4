// Views of the account's own fresh records, shaped like the AppView's (app.bsky.*.defs), for merging.
import { xrpcPath } from '../../core/syntax/index.ts'
import type { JsonRecord, RecordDescript } from './local-records.ts'

type View = Record<string, any>

export type LocalViewerOptions = {
  did: string
  handle: string
  /** The freshest profile record (local or undefined: keep what the AppView said). */
  profile?: JsonRecord | null
  publicUrl: string
  /** The AppView's CDN pattern, printf-style: pattern, did, cid (PDS_BSKY_APP_VIEW_CDN_URL_PATTERN). */
  cdnUrlPattern?: string
}

const blobCid = (blob: any): string | undefined => blob?.ref?.$link ?? (typeof blob?.cid === 'string' ? blob.cid : undefined)

export class LocalViewer {
  constructor(private readonly opts: LocalViewerOptions) {}

  imageUrl(kind: 'avatar' | 'banner' | 'feed_thumbnail' | 'feed_fullsize', cid: string): string {
    const pattern = this.opts.cdnUrlPattern
    if (!pattern) return `${this.opts.publicUrl}${xrpcPath('com.atproto.sync.getBlob')}?did=${this.opts.did}&cid=${cid}`
    const args = [kind, this.opts.did, cid]
    return pattern.replace(/%s/g, () => args.shift() ?? '')
  }

  private image(kind: Parameters<LocalViewer['imageUrl']>[0], blob: unknown): string | undefined {
    const cid = blobCid(blob)
    return cid ? this.imageUrl(kind, cid) : undefined
  }

  profileBasic(): View {
    const record = this.opts.profile
    return { did: this.opts.did, handle: this.opts.handle, displayName: record?.displayName, avatar: this.image('avatar', record?.avatar) }
  }

  updateProfileBasic(view: View, record: JsonRecord): View {
    return { ...view, displayName: record.displayName, avatar: this.image('avatar', record.avatar) }
  }

  updateProfile(view: View, record: JsonRecord): View {
    return { ...this.updateProfileBasic(view, record), description: record.description }
  }

  updateProfileDetailed(view: View, record: JsonRecord): View {
    return { ...this.updateProfile(view, record), banner: this.image('banner', record.banner) }
  }

  /** A just-written post: counts are zero, embeds are rendered from the record alone. */
  postView(post: RecordDescript): View {
    const embed = this.embedView(post.record.embed)
    return {
      uri: post.uri,
      cid: post.cid,
      author: this.profileBasic(),
      record: post.record,
      ...(embed ? { embed } : {}),
      replyCount: 0,
      repostCount: 0,
      likeCount: 0,
      quoteCount: 0,
      indexedAt: post.indexedAt,
    }
  }

  private embedView(embed: any): View | undefined {
    if (!embed || typeof embed !== 'object') return undefined
    switch (embed.$type) {
      case 'app.bsky.embed.images':
        return {
          $type: 'app.bsky.embed.images#view',
          images: (embed.images ?? []).map((img: any) => ({
            thumb: this.image('feed_thumbnail', img.image),
            fullsize: this.image('feed_fullsize', img.image),
            alt: img.alt,
            aspectRatio: img.aspectRatio,
          })),
        }
      case 'app.bsky.embed.external': {
        const { uri, title, description, thumb } = embed.external ?? {}
        return { $type: 'app.bsky.embed.external#view', external: { uri, title, description, thumb: this.image('feed_thumbnail', thumb) } }
      }
      case 'app.bsky.embed.record':
        // The quoted record lives elsewhere; without an AppView round trip we can only point at it.
        return { $type: 'app.bsky.embed.record#view', record: { $type: 'app.bsky.embed.record#viewNotFound', uri: embed.record?.uri, notFound: true } }
      case 'app.bsky.embed.recordWithMedia': {
        const media = this.embedView(embed.media)
        const record = this.embedView({ $type: 'app.bsky.embed.record', record: embed.record?.record })
        return media ? { $type: 'app.bsky.embed.recordWithMedia#view', record, media } : undefined
      }
      default:
        return undefined
    }
  }

  /** Puts posts newer than the page's oldest item into the feed by indexedAt, as the reference does. */
  insertPostsInFeed(feed: View[], posts: RecordDescript[]): View[] {
    if (posts.length === 0) return feed
    const lastTime = feed.at(-1)?.post?.indexedAt ?? new Date(0).toISOString()
    const out = [...feed]
    for (const post of posts.filter((p) => p.indexedAt > lastTime).reverse()) {
      if (out.some((item) => item.post?.uri === post.uri)) continue
      const view = this.postView(post)
      const idx = out.findIndex((item) => item.post?.indexedAt < view.indexedAt)
      if (idx >= 0) out.splice(idx, 0, { post: view })
      else out.push({ post: view })
    }
    return out
  }
}
