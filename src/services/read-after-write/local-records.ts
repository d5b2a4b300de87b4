// The account's own records written after the AppView's last indexed rev (its atproto-repo-rev header).
import type { ActorDb } from '../../storage/actor/actor-db.ts'
import { decodeCbor } from '../../core/cbor.ts'
import { ipldToJson } from '../../core/data-model.ts'

export type JsonRecord = Record<string, any>
export type RecordDescript = { uri: string; cid: string; indexedAt: string; record: JsonRecord }
export type LocalRecords = { count: number; profile: RecordDescript | null; posts: RecordDescript[] }

const EMPTY: LocalRecords = { count: 0, profile: null, posts: [] }

/**
 * At most 10 records, oldest first, as the reference. If nothing is at or before `rev` the AppView's rev
 * comes from another history (e.g. an account migrated in): merging would be wrong, so nothing is returned.
 */
export function getRecordsSinceRev(db: ActorDb, did: string, rev: string): LocalRecords {
  const rows = db.recordsAfterRev(rev, 10)
  if (rows.length === 0) return EMPTY
  if (!db.hasRecordAtOrBefore(rev)) return EMPTY
  const local: LocalRecords = { count: 0, profile: null, posts: [] }
  for (const row of rows) {
    const descript = { uri: row.uri, cid: row.cid, indexedAt: row.indexedAt, record: ipldToJson(decodeCbor(row.content)) as JsonRecord }
    if (row.uri === `at://${did}/app.bsky.actor.profile/self`) local.profile = descript
    else if (row.uri.startsWith(`at://${did}/app.bsky.feed.post/`)) local.posts.push(descript)
    local.count++
  }
  return local
}

export function getLocalLag(local: LocalRecords): number | undefined {
  let oldest = local.profile?.indexedAt
  for (const post of local.posts) if (!oldest || post.indexedAt < oldest) oldest = post.indexedAt
  return oldest ? Date.now() - new Date(oldest).getTime() : undefined
}
