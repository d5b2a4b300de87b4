// tools.ozone.verification.*: the team lead's account is the verifier. A grant writes an
// app.bsky.graph.verification record into its repo through the one write path (so it is on the firehose
// and AppViews index it) and keeps a row here; a revocation deletes the record and marks the row, as
// Ozone (packages/ozone/src/verification). Admins and verifiers grant and revoke; the team lists.
import { authRequired, invalidInput } from '../errors.ts'
import * as store from '../../storage/moderation/verification.ts'
import type { VerificationRow } from '../../storage/moderation/verification.ts'
import type { PreparedWrite } from '../repo/prepare.ts'
import type { ModContext } from './context.ts'
import { parseRecordUri } from './subject.ts'
import { ROLE, isAdmin, type Caller } from './team.ts'
import { repoView } from './views.ts'

const COLLECTION = 'app.bsky.graph.verification'
const INVALID_HANDLE = 'handle.invalid'

export type VerificationInput = { subject: string; handle: string; displayName: string; createdAt?: string }
type GrantError = { $type: 'tools.ozone.verification.grantVerifications#grantError'; subject: string; error: string }
type RevokeError = { $type: 'tools.ozone.verification.revokeVerifications#revokeError'; uri: string; error: string }

const isVerifier = (c: Caller) => isAdmin(c) || c.role === ROLE.verifier
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

export type ListQuery = {
  cursor?: string
  limit?: number
  createdAfter?: string
  createdBefore?: string
  issuers?: string[]
  subjects?: string[]
  sortDirection?: string
  isRevoked?: boolean
}

export class Verifications {
  /** Grants and revocations run one at a time, so two batches cannot both verify a subject. */
  private last: Promise<unknown> = Promise.resolve()

  constructor(private readonly ctx: ModContext) {}

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const next = this.last.then(run, run)
    this.last = next.catch(() => {})
    return next
  }

  private issuer(): string {
    const did = this.ctx.teamDid()
    if (!did) throw invalidInput('Verifier not configured')
    this.syncWithRepo(did)
    return did
  }

  private synced?: string

  /**
   * Once per process, before the first use: the table is brought in line with the lead's repo. Records
   * committed just before a crash, or written with another client, get their row; rows whose record is
   * gone are marked revoked by the issuer, as Ozone's verification listener does on a delete.
   */
  private syncWithRepo(issuer: string) {
    if (this.synced === issuer || !this.ctx.repo.hasRepo(issuer)) return
    const present = new Set<string>()
    let cursor: string | undefined
    do {
      const page = this.ctx.repo.listRecords(issuer, COLLECTION, { limit: 100, cursor })
      for (const { uri, cid, value } of page.records) {
        present.add(uri)
        const v = value as Partial<Record<'subject' | 'handle' | 'displayName' | 'createdAt', unknown>>
        if (store.getVerification(this.ctx.db, uri) || typeof v.subject !== 'string' || typeof v.handle !== 'string' || typeof v.displayName !== 'string' || typeof v.createdAt !== 'string') continue
        store.insertVerification(this.ctx.db, { uri, cid, issuer, subject: v.subject, handle: v.handle, display_name: v.displayName, created_at: v.createdAt, updated_at: this.ctx.now().toISOString() })
      }
      cursor = page.cursor
    } while (cursor)
    for (const uri of store.activeUris(this.ctx.db, issuer)) {
      const rkey = parseRecordUri(uri)?.rkey
      if (present.has(uri) || (rkey && this.ctx.repo.getRecord(issuer, COLLECTION, rkey, undefined, { includeTakenDown: true }))) continue
      store.markRevoked(this.ctx.db, uri, { by: issuer, reason: null, at: this.ctx.now().toISOString() })
    }
    this.synced = issuer
  }

  grant(by: Caller, inputs: VerificationInput[]) {
    if (!isVerifier(by)) throw authRequired('Must be an admin or verifier to grant verifications')
    return this.serially(() => this.grantNow(inputs))
  }

  revoke(by: Caller, input: { uris: string[]; revokeReason?: string }) {
    if (!isVerifier(by)) throw authRequired('Must be an admin or verifier to revoke verifications')
    return this.serially(() => this.revokeNow(by, input))
  }

  private async grantNow(inputs: VerificationInput[]) {
    const issuer = this.issuer()
    const now = this.ctx.now().toISOString()
    const failed: GrantError[] = []
    const fail = (subject: string, error: string) => failed.push({ $type: 'tools.ozone.verification.grantVerifications#grantError', subject, error })
    const writes: Array<{ input: VerificationInput; createdAt: string; write: PreparedWrite & { action: 'create' } }> = []
    const inBatch = new Set<string>()
    for (const input of inputs) {
      if (input.handle.toLowerCase() === INVALID_HANDLE) fail(input.subject, 'Cannot verify with invalid handle')
      else if (inBatch.has(input.subject) || store.activeVerification(this.ctx.db, issuer, input.subject)) fail(input.subject, `Already verified by ${issuer}`)
      else {
        // Each record is checked against its lexicon alone, so one bad item fails only itself.
        const createdAt = input.createdAt ?? now
        const value = { $type: COLLECTION, subject: input.subject, handle: input.handle, displayName: input.displayName, createdAt }
        try {
          const write = this.ctx.repo.prepare(issuer, { action: 'create', collection: COLLECTION, value }, true) as PreparedWrite & { action: 'create' }
          writes.push({ input, createdAt, write })
          inBatch.add(input.subject)
        } catch (err) {
          fail(input.subject, message(err))
        }
      }
    }
    if (!writes.length) return { verifications: [], failedVerifications: failed }
    try {
      // One signed commit for the batch: its records reach the firehose together.
      await this.ctx.repo.commitWrites(issuer, writes.map((w) => w.write))
    } catch (err) {
      for (const w of writes) fail(w.input.subject, message(err))
      return { verifications: [], failedVerifications: failed }
    }
    const rows = this.ctx.db.transaction(() =>
      writes.map(({ input, createdAt, write }) =>
        store.insertVerification(this.ctx.db, { uri: write.uri, cid: write.cid.toString(), issuer, subject: input.subject, handle: input.handle, display_name: input.displayName, created_at: createdAt, updated_at: now }),
      ),
    )()
    return { verifications: await this.views(rows), failedVerifications: failed }
  }

  private async revokeNow(by: Caller, input: { uris: string[]; revokeReason?: string }) {
    const issuer = this.issuer()
    const failed: RevokeError[] = []
    const fail = (uri: string, error: string) => failed.push({ $type: 'tools.ozone.verification.revokeVerifications#revokeError', uri, error })
    const revoking: string[] = []
    const deletes: PreparedWrite[] = []
    for (const uri of new Set(input.uris)) {
      const parsed = parseRecordUri(uri)
      if (!parsed || parsed.collection !== COLLECTION) fail(uri, 'Only verification records can be revoked')
      else if (parsed.did !== issuer) fail(uri, `Cannot revoke verification record ${uri} not issued by ${issuer}`)
      else {
        const row = store.getVerification(this.ctx.db, uri)
        const record = this.ctx.repo.getRecord(issuer, COLLECTION, parsed.rkey, undefined, { includeTakenDown: true })
        if (!row && !record) fail(uri, 'Verification record not found')
        else if (row?.revoked_at && !record) fail(uri, 'Verification already revoked')
        else {
          revoking.push(uri)
          // A record already deleted outside this service (the lead's own client) is only marked revoked.
          if (record) deletes.push(this.ctx.repo.prepare(issuer, { action: 'delete', collection: COLLECTION, rkey: parsed.rkey }))
        }
      }
    }
    if (!revoking.length) return { revokedVerifications: [], failedRevocations: failed }
    try {
      if (deletes.length) await this.ctx.repo.commitWrites(issuer, deletes, { skipMissingDelete: deletes.length === 1 })
    } catch (err) {
      for (const uri of revoking) fail(uri, message(err))
      return { revokedVerifications: [], failedRevocations: failed }
    }
    const at = this.ctx.now().toISOString()
    const reason = input.revokeReason ?? null
    this.ctx.db.transaction(() => {
      for (const uri of revoking) store.markRevoked(this.ctx.db, uri, { by: by.did, reason, at })
    })()
    return { revokedVerifications: revoking, failedRevocations: failed }
  }

  async list(q: ListQuery) {
    const issuer = this.ctx.teamDid()
    if (issuer) this.syncWithRepo(issuer)
    const limit = q.limit ?? 50
    const direction = q.sortDirection === 'asc' ? 'asc' : 'desc'
    const rows = store.listVerifications(this.ctx.db, {
      issuers: q.issuers,
      subjects: q.subjects,
      createdAfter: q.createdAfter,
      createdBefore: q.createdBefore,
      isRevoked: q.isRevoked,
      after: q.cursor === undefined ? undefined : parseCursor(q.cursor),
      direction,
      limit,
    })
    const last = rows.at(-1)
    return { verifications: await this.views(rows), ...(last && rows.length === limit ? { cursor: `${last.created_at}::${last.uri}` } : {}) }
  }

  private async views(rows: VerificationRow[]) {
    const repos = new Map<string, Record<string, unknown>>()
    for (const did of new Set(rows.flatMap((r) => [r.issuer, r.subject]))) {
      const view = await repoView(this.ctx, did, true).catch(() => null)
      repos.set(did, view ? { $type: 'tools.ozone.moderation.defs#repoViewDetail', ...view } : { $type: 'tools.ozone.moderation.defs#repoViewNotFound', did })
    }
    return rows.map((r) => ({
      $type: 'tools.ozone.verification.defs#verificationView',
      uri: r.uri,
      issuer: r.issuer,
      subject: r.subject,
      handle: r.handle,
      displayName: r.display_name,
      createdAt: r.created_at,
      ...(r.revoked_at ? { revokedAt: r.revoked_at, revokedBy: r.revoked_by ?? undefined } : {}),
      ...(r.revoke_reason ? { revokeReason: r.revoke_reason } : {}),
      issuerRepo: repos.get(r.issuer),
      subjectRepo: repos.get(r.subject),
    }))
  }
}

function parseCursor(cursor: string): { createdAt: string; uri: string } {
  const at = cursor.indexOf('::')
  if (at < 1 || !cursor.slice(at + 2).startsWith('at://')) throw invalidInput('Malformed cursor')
  return { createdAt: cursor.slice(0, at), uri: cursor.slice(at + 2) }
}
