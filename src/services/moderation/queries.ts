// The read side of the moderation service: queryEvents, queryStatuses, getEvent, getRepo(s), getRecord(s),
// getSubjects, getAccountTimeline, getReporterStats, searchRepos.
import { invalidInput } from '../errors.ts'
import * as events from '../../storage/moderation/events.ts'
import * as statuses from '../../storage/moderation/statuses.ts'
import { isLocalAccount, type ModContext } from './context.ts'
import { subjectFromString } from './subject.ts'
import { eventView, recordView, repoView, statusView } from './views.ts'

const intCursor = (cursor: string | undefined): number | undefined => {
  if (cursor === undefined) return undefined
  if (!/^\d{1,15}$/.test(cursor)) throw invalidInput('Malformed cursor')
  return Number(cursor)
}

export type EventQuery = Partial<Omit<events.EventFilter, 'cursor' | 'subjectDid' | 'subjectUri'>> & { subject?: string; cursor?: string }
export type StatusQuery = Partial<Omit<statuses.StatusFilter, 'cursor' | 'now' | 'subjectDid' | 'recordPath'>> & { subject?: string; includeAllUserRecords?: boolean; cursor?: string }

export class Queries {
  constructor(private readonly ctx: ModContext) {}

  async queryEvents(q: EventQuery) {
    const subject = q.subject ? subjectFromString(q.subject) : undefined
    const limit = q.limit ?? 50
    const rows = events.queryEvents(this.ctx.db, {
      ...q,
      subjectDid: subject?.did,
      subjectUri: subject?.uri,
      sortDirection: q.sortDirection ?? 'desc',
      cursor: intCursor(q.cursor),
      limit,
    })
    const out = await Promise.all(rows.map((r) => eventView(this.ctx, r)))
    return { events: out, ...(rows.length === limit ? { cursor: String(rows.at(-1)!.id) } : {}) }
  }

  async queryStatuses(q: StatusQuery) {
    const subject = q.subject ? subjectFromString(q.subject) : undefined
    if (q.cursor !== undefined && !/::\d+$/.test(q.cursor)) throw invalidInput('Malformed cursor')
    const limit = q.limit ?? 50
    const rows = statuses.queryStatuses(this.ctx.db, {
      ...q,
      subjectDid: subject?.did,
      recordPath: subject && !(q.includeAllUserRecords && !subject.uri) ? subject.recordPath : undefined,
      includeMuted: q.includeMuted ?? false,
      now: this.ctx.now().toISOString(),
      sortField: q.sortField ?? 'lastReportedAt',
      sortDirection: q.sortDirection ?? 'desc',
      limit,
    }) as Array<statuses.SubjectStatusRow & { sort_key: string }>
    const out = await Promise.all(rows.map((r) => statusView(this.ctx, r)))
    const last = rows.at(-1)
    return { subjectStatuses: out, ...(rows.length === limit && last ? { cursor: `${last.sort_key}::${last.id}` } : {}) }
  }

  async getEvent(id: number) {
    const row = events.getEvent(this.ctx.db, id)
    if (!row) throw invalidInput('Event not found', 'NotFound')
    const view = await eventView(this.ctx, row)
    const subject = row.subject_uri ? await recordView(this.ctx, row.subject_uri) : await repoView(this.ctx, row.subject_did, false)
    const notFound = row.subject_uri
      ? { $type: 'tools.ozone.moderation.defs#recordViewNotFound', uri: row.subject_uri }
      : { $type: 'tools.ozone.moderation.defs#repoViewNotFound', did: row.subject_did }
    const typed = subject ? { $type: `tools.ozone.moderation.defs#${row.subject_uri ? 'recordView' : 'repoView'}`, ...subject } : notFound
    // The blobs the event named, as the record's blob views show them.
    const named = new Set<string>(JSON.parse(row.subject_blob_cids))
    const blobs = ((subject?.blobs ?? []) as Array<{ cid: string }>).filter((b) => named.has(b.cid))
    return { ...view, subject: typed, subjectBlobs: blobs }
  }

  async getRepo(did: string) {
    const view = await repoView(this.ctx, did, true)
    if (!view) throw invalidInput('Repo not found', 'RepoNotFound')
    return view
  }

  async getRepos(dids: string[]) {
    const repos = await Promise.all(
      dids.map(async (did) => {
        const view = await repoView(this.ctx, did, true)
        return view ? { $type: 'tools.ozone.moderation.defs#repoViewDetail', ...view } : { $type: 'tools.ozone.moderation.defs#repoViewNotFound', did }
      }),
    )
    return { repos }
  }

  async getRecord(uri: string, cid?: string) {
    const view = await recordView(this.ctx, uri, cid)
    if (!view) throw invalidInput('Record not found', 'RecordNotFound')
    const { blobCids: _, ...detail } = view
    return detail
  }

  /** The PDS of an account hosted on another server (the console says where a subject's content came from); null for ours. */
  async hostedElsewhere(did: string): Promise<string | null> {
    if (isLocalAccount(this.ctx, did)) return null
    return (await this.ctx.remote.pdsOf(did)) ?? null
  }

  async getRecords(uris: string[]) {
    const records = await Promise.all(
      uris.map(async (uri) => {
        const view = await recordView(this.ctx, uri)
        if (!view) return { $type: 'tools.ozone.moderation.defs#recordViewNotFound', uri }
        const { blobCids: _, ...detail } = view
        return { $type: 'tools.ozone.moderation.defs#recordViewDetail', ...detail }
      }),
    )
    return { records }
  }

  async getSubjects(subjects: string[]) {
    const out = await Promise.all(
      subjects.map(async (value) => {
        const s = subjectFromString(value)
        const row = statuses.getStatus(this.ctx.db, { did: s.did, recordPath: s.recordPath })
        const status = row ? await statusView(this.ctx, row) : undefined
        if (s.uri) {
          const record = await recordView(this.ctx, s.uri)
          const { blobCids: _, ...detail } = record ?? {}
          return { type: 'record', subject: value, status, ...(record ? { record: detail } : {}), repo: (await repoView(this.ctx, s.did, true)) ?? undefined }
        }
        return { type: 'account', subject: value, status, repo: (await repoView(this.ctx, s.did, true)) ?? undefined }
      }),
    )
    return { subjects: out.map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))) }
  }

  async getAccountTimeline(did: string) {
    const rows = events.timeline(this.ctx.db, did)
    if (rows.length === 0 && !(await repoView(this.ctx, did, false))) throw invalidInput('Repo not found', 'RepoNotFound')
    const days = new Map<string, Array<{ eventSubjectType: string; eventType: string; count: number }>>()
    for (const r of rows) {
      const list = days.get(r.day) ?? []
      list.push({ eventSubjectType: 'account', eventType: r.type, count: r.count })
      days.set(r.day, list)
    }
    return { timeline: [...days].map(([day, summary]) => ({ day, summary })) }
  }

  getReporterStats(dids: string[]) {
    return { stats: dids.map((did) => ({ did, ...events.reporterCounts(this.ctx.db, did) })) }
  }

  /** Our accounts by handle or DID prefix; a full DID elsewhere by resolution. */
  async searchRepos(q: { q?: string; term?: string; limit?: number; cursor?: string }) {
    const term = (q.q ?? q.term ?? '').trim().toLowerCase().replace(/^@/, '')
    const limit = q.limit ?? 50
    const matches: string[] = []
    let cursor = q.cursor
    if (term) {
      for (;;) {
        const page = this.ctx.accounts.listAccounts(cursor, 500)
        const list = page.accounts
        for (const a of list) {
          if (a.did.startsWith(term) || a.handle?.startsWith(term)) matches.push(a.did)
          if (matches.length === limit) break
        }
        cursor = page.cursor
        if (matches.length === limit || !cursor || list.length < 500) break
      }
      if (matches.length === 0 && term.startsWith('did:')) matches.push(term)
    }
    const repos = (await Promise.all(matches.map((did) => repoView(this.ctx, did, false)))).filter((r) => r !== null)
    return { repos }
  }
}
