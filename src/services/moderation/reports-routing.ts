// Every #modEventReport gets its report row, routed to the first enabled queue that matches its subject
// type, collection and report type (or to the queue the reporting tool names in modTool.meta.queueId),
// as Ozone's queue router does; routeReports re-routes a range after queues change.
import type { Database } from 'bun:sqlite'
import type { ModEventRow } from '../../storage/moderation/events.ts'
import * as store from '../../storage/moderation/reports.ts'
import * as queues from '../../storage/moderation/report-queues.ts'
import type { QueueRow } from '../../storage/moderation/report-queues.ts'
import { invalidInput } from '../errors.ts'
import { forRouting } from './reports-state.ts'

const REASON_OTHER = 'com.atproto.moderation.defs#reasonOther'
const MAX_ROUTED = 5000

type Parsed = { subjectType: 'account' | 'record'; collection: string | null; reportType: string }

/** modTool.meta is the reporter's input: only a number queueId and a true isAutomated count. */
export function parseModTool(modTool: unknown): { queueId?: number; isAutomated: boolean } {
  const meta = (modTool as { meta?: Record<string, unknown> } | null)?.meta
  return { queueId: typeof meta?.queueId === 'number' ? meta.queueId : undefined, isAutomated: meta?.isAutomated === true }
}

export function matchingQueue(all: QueueRow[], r: Parsed): QueueRow | null {
  for (const q of all) {
    const collection = r.subjectType === 'record' && q.collection !== null ? r.collection === q.collection : true
    if (JSON.parse(q.subject_types).includes(r.subjectType) && collection && JSON.parse(q.report_types).includes(r.reportType)) return q
  }
  return null
}

const enabledQueues = (db: Database) => queues.listQueues(db, { enabled: true, limit: 1000 })

function destination(enabled: QueueRow[], r: Parsed, explicit: number | undefined): number {
  if (explicit !== undefined) return enabled.some((q) => q.id === explicit) ? explicit : -1
  return matchingQueue(enabled, r)?.id ?? -1
}

/** The report row of a report event (call inside the event's transaction). Idempotent per event. */
export function addReportRow(db: Database, row: ModEventRow): store.ReportRow | null {
  const event = JSON.parse(row.event) as { reportType?: string; isReporterMuted?: boolean; isSubjectMuted?: boolean }
  const recordPath = row.subject_uri ? row.subject_uri.split('/').slice(3).join('/') : ''
  const parsed: Parsed = { subjectType: row.subject_uri ? 'record' : 'account', collection: recordPath ? recordPath.split('/')[0]! : null, reportType: event.reportType ?? REASON_OTHER }
  const tool = parseModTool(row.mod_tool ? JSON.parse(row.mod_tool) : null)
  const queueId = destination(enabledQueues(db), parsed, tool.queueId)
  return store.insertReport(db, {
    event_id: row.id,
    queue_id: queueId,
    queued_at: queueId === -1 ? null : row.created_at,
    action_event_ids: null,
    action_note: null,
    is_muted: event.isReporterMuted || event.isSubjectMuted ? 1 : 0,
    is_automated: tool.isAutomated ? 1 : 0,
    // Born in its queue: no activity, nothing transitioned (as Ozone's router).
    status: queueId === -1 ? 'open' : 'queued',
    report_type: parsed.reportType,
    did: row.subject_did,
    record_path: recordPath,
    created_at: row.created_at,
    updated_at: row.created_at,
    assigned_to: null,
    assigned_at: null,
    closed_at: null,
  })
}

/** tools.ozone.queue.routeReports: reports in [start, end] without a queue, routed against today's queues. */
export function routeReports(db: Database, start: number, end: number, now: string): { assigned: number; unmatched: number } {
  if (start > end) throw invalidInput('startReportId must be less than or equal to endReportId')
  if (end - start + 1 > MAX_ROUTED) throw invalidInput(`Cannot route more than ${MAX_ROUTED} reports at a time`, 'OutOfRange')
  const enabled = enabledQueues(db)
  if (!enabled.length) return { assigned: 0, unmatched: 0 }
  let assigned = 0
  let unmatched = 0
  db.transaction(() => {
    for (const r of store.unroutedReports(db, start, end)) {
      const parsed: Parsed = { subjectType: r.record_path ? 'record' : 'account', collection: r.record_path ? r.record_path.split('/')[0]! : null, reportType: r.report_type }
      const explicit = parseModTool(r.mod_tool ? JSON.parse(r.mod_tool) : null).queueId
      const queueId = destination(enabled, parsed, explicit)
      if (queueId === -1) {
        store.updateReport(db, r.id, { queue_id: -1, queued_at: null, updated_at: now })
        unmatched++
        continue
      }
      const t = forRouting(r.status)
      store.updateReport(db, r.id, { queue_id: queueId, queued_at: now, updated_at: now, ...(t.next ? { status: t.next } : {}) })
      assigned++
    }
  })()
  return { assigned, unmatched }
}
