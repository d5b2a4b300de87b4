// Reports: com.atproto.moderation.createReport stored as a #modEventReport on the subject, and the small
// queue API the operator console lists and acts on.
import { invalidInput } from '../errors.ts'
import * as events from '../../storage/moderation/events.ts'
import * as statuses from '../../storage/moderation/statuses.ts'
import type { ModContext } from './context.ts'
import { assertSubjectExists, emitEvent, record } from './emit.ts'
import { EV, REVIEW } from './status.ts'
import { subjectFromInput, subjectJson, type ModSubject } from './subject.ts'
import type { Caller } from './team.ts'
import { addReportRow } from './reports-routing.ts'
import { assertReportAllowed } from './report-checks.ts'

export type ReportInput = { reasonType: string; reason?: string; subject: unknown; modTool?: unknown }

export async function createReport(ctx: ModContext, input: ReportInput, reportedBy: string) {
  const subject = subjectFromInput(input.subject)
  assertReportAllowed(ctx, input.reasonType, subject, reportedBy)
  await assertSubjectExists(ctx, subject)
  const event: Record<string, unknown> = { $type: EV.report, reportType: input.reasonType }
  if (input.reason) event.comment = input.reason
  // A muted reporter's reports are kept but do not reopen the subject (Ozone's isReporterMuted).
  const reporter = statuses.getStatus(ctx.db, { did: reportedBy, recordPath: '' })
  const muted = !!reporter?.mute_reporting_until && reporter.mute_reporting_until > ctx.now().toISOString()
  let row
  if (muted) {
    event.isReporterMuted = true
    row = ctx.db.transaction(() => {
      const inserted = events.insertEvent(ctx.db, {
        type: EV.report,
        subject_did: subject.did,
        subject_uri: subject.uri,
        subject_cid: subject.cid,
        subject_blob_cids: '[]',
        event: JSON.stringify(event),
        created_by: reportedBy,
        created_at: ctx.now().toISOString(),
        mod_tool: null,
      })
      addReportRow(ctx.db, inserted)
      return inserted
    })()
  } else {
    row = record(ctx, subject, event, reportedBy, input.modTool)
  }
  return {
    id: row.id,
    reasonType: input.reasonType,
    ...(input.reason ? { reason: input.reason } : {}),
    subject: input.subject as Record<string, unknown>,
    reportedBy,
    createdAt: row.created_at,
  }
}

export type ReportStatus = 'open' | 'escalated' | 'closed'
const REVIEW_OF: Record<ReportStatus, string> = { open: REVIEW.open, escalated: REVIEW.escalated, closed: REVIEW.closed }

export type ReportListing = {
  id: number
  reasonType: string
  reason?: string
  subject: Record<string, unknown>
  reportedBy: string
  createdAt: string
  reviewState: string
}

/** Reports newest first, filtered by their subject's review state (the console's queue). */
export function listReports(ctx: ModContext, q: { status?: ReportStatus; cursor?: string; limit?: number }): { reports: ReportListing[]; cursor?: string } {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 100)
  const cursor = q.cursor === undefined ? undefined : Number(q.cursor)
  if (cursor !== undefined && !Number.isInteger(cursor)) throw invalidInput('Malformed cursor')
  const wanted = q.status ? REVIEW_OF[q.status] : undefined
  if (q.status && !wanted) throw invalidInput(`Unknown report status: ${q.status}`)
  const reports: ReportListing[] = []
  let after = cursor
  // Filtering by the subject's state happens per page; a page of other states is skipped over.
  for (let pages = 0; reports.length < limit && pages < 20; pages++) {
    const rows = events.queryEvents(ctx.db, { types: [EV.report], sortDirection: 'desc', cursor: after, limit })
    for (const row of rows) {
      after = row.id
      const recordPath = row.subject_uri ? row.subject_uri.split('/').slice(3).join('/') : ''
      const status = statuses.getStatus(ctx.db, { did: row.subject_did, recordPath })
      const reviewState = status?.review_state ?? REVIEW.none
      if (wanted && reviewState !== wanted) continue
      const event = JSON.parse(row.event) as { reportType: string; comment?: string }
      reports.push({
        id: row.id,
        reasonType: event.reportType,
        ...(event.comment ? { reason: event.comment } : {}),
        subject: subjectJson({ did: row.subject_did, uri: row.subject_uri, cid: row.subject_cid }),
        reportedBy: row.created_by,
        createdAt: row.created_at,
        reviewState,
      })
      if (reports.length === limit) break
    }
    if (rows.length < limit) return { reports }
  }
  return { reports, cursor: after === undefined ? undefined : String(after) }
}

function reportSubject(ctx: ModContext, reportId: number): ModSubject {
  const row = events.getEvent(ctx.db, reportId)
  if (!row || row.type !== EV.report) throw invalidInput(`No report ${reportId}`, 'NotFound')
  const recordPath = row.subject_uri ? row.subject_uri.split('/').slice(3).join('/') : ''
  return { did: row.subject_did, uri: row.subject_uri, cid: row.subject_cid, blobCids: [], recordPath }
}

/** Closes the report's subject (an acknowledge event). */
export function resolveReport(ctx: ModContext, reportId: number, by: Caller, comment?: string) {
  return emitEvent(ctx, { event: { $type: EV.acknowledge, ...(comment ? { comment } : {}) }, subject: reportSubject(ctx, reportId), createdBy: by.did }, by)
}

export function escalateReport(ctx: ModContext, reportId: number, by: Caller, comment?: string) {
  return emitEvent(ctx, { event: { $type: EV.escalate, ...(comment ? { comment } : {}) }, subject: reportSubject(ctx, reportId), createdBy: by.did }, by)
}
