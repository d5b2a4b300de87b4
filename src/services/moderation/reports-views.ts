// The views of tools.ozone.report.defs and tools.ozone.queue.defs: reports with their subject and reporter,
// queues with today's figures, activities, assignments and the team members in them.
import * as events from '../../storage/moderation/events.ts'
import * as queues from '../../storage/moderation/report-queues.ts'
import type { QueueRow } from '../../storage/moderation/report-queues.ts'
import type { ActivityRow, AssignmentRow, ReportWithEvent } from '../../storage/moderation/reports.ts'
import * as store from '../../storage/moderation/reports.ts'
import * as team from '../../storage/moderation/team.ts'
import type { ModContext } from './context.ts'
import { Queries } from './queries.ts'
import { ACTIVITY_PREFIX } from './reports-state.ts'
import type { ReportStats } from './reports-stats.ts'
import { ROLE } from './team.ts'
import { eventView, handleOf } from './views.ts'

const compact = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T
type View = Record<string, unknown>

export function queueView(q: QueueRow, stats: View): View {
  return compact({
    id: q.id,
    name: q.name,
    subjectTypes: JSON.parse(q.subject_types),
    collection: q.collection,
    reportTypes: JSON.parse(q.report_types),
    description: q.description,
    recommendedPolicies: JSON.parse(q.recommended_policies),
    createdBy: q.created_by,
    createdAt: q.created_at,
    updatedAt: q.updated_at,
    enabled: q.enabled === 1,
    deletedAt: q.deleted_at,
    stats,
  })
}

/** A queue with today's figures (a deleted one too: a closed report may still name it). */
export function queueWithStats(q: QueueRow, stats: ReportStats): View {
  return queueView(q, stats.live({ queueId: q.id, moderatorDid: null, reportTypes: null }))
}

/** tools.ozone.team.defs#member for team DIDs (the lead included); others are left out. */
export async function memberViews(ctx: ModContext, dids: string[]): Promise<Map<string, View>> {
  const out = new Map<string, View>()
  const lead = ctx.teamDid()
  for (const did of new Set(dids)) {
    const row = team.getMember(ctx.db, did)
    if (!row && did !== lead) continue
    const handle = await handleOf(ctx, did)
    const profile = handle ? { $type: 'app.bsky.actor.defs#profileViewDetailed', did, handle } : undefined
    out.set(
      did,
      row
        ? compact({ did, disabled: row.disabled === 1, profile, createdAt: row.created_at, updatedAt: row.updated_at, lastUpdatedBy: row.last_updated_by, role: row.role })
        : compact({ did, disabled: false, profile, role: ROLE.admin }),
    )
  }
  return out
}

/** tools.ozone.report.defs#reportView for each row (in order); `withActions` expands actionEventIds. */
export async function reportViews(ctx: ModContext, stats: ReportStats, rows: ReportWithEvent[], opts: { withActions?: boolean } = {}): Promise<View[]> {
  const queries = new Queries(ctx)
  const subjects = new Map<string, Promise<View>>()
  const subjectView = (value: string) => {
    let view = subjects.get(value)
    if (!view) subjects.set(value, (view = queries.getSubjects([value]).then((r) => r.subjects[0] as View)))
    return view
  }
  const queueIds = [...new Set(rows.map((r) => r.queue_id).filter((id): id is number => id !== null && id > 0))]
  const queueViews = new Map(queues.queuesByIds(ctx.db, queueIds).map((q) => [q.id, queueWithStats(q, stats)]))
  const members = await memberViews(ctx, rows.map((r) => r.assigned_to).filter((d): d is string => !!d))
  return Promise.all(
    rows.map(async (r) => {
      const event = JSON.parse(r.event) as { reportType?: string; comment?: string }
      const actionEventIds: number[] | undefined = r.action_event_ids ? JSON.parse(r.action_event_ids) : undefined
      const actions = opts.withActions && actionEventIds?.length ? await Promise.all(actionEventIds.map((id) => events.getEvent(ctx.db, id)).filter((e) => e !== null).map((e) => eventView(ctx, e))) : undefined
      const pending = store.pendingOnSubject(ctx.db, r.did, r.record_path)
      return compact({
        id: r.id,
        eventId: r.event_id,
        status: r.status,
        subject: await subjectView(r.subject_uri ?? r.did),
        reportType: event.reportType ?? r.report_type,
        reportedBy: r.reported_by,
        reporter: await subjectView(r.reported_by),
        comment: event.comment,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        queuedAt: r.queued_at,
        actionEventIds,
        actions: actions?.length ? actions : undefined,
        actionNote: r.action_note,
        relatedReportCount: pending - (r.status === 'closed' ? 0 : 1),
        assignment: r.assigned_to && r.assigned_at ? compact({ did: r.assigned_to, moderator: members.get(r.assigned_to), assignedAt: r.assigned_at }) : undefined,
        queue: r.queue_id !== null && r.queue_id > 0 ? queueViews.get(r.queue_id) : undefined,
        isMuted: r.is_muted === 1,
        isAutomated: r.is_automated === 1,
      })
    }),
  )
}

export function activityView(a: ActivityRow, members?: Map<string, View>, reports?: Map<number, View>): View {
  const $type = `${ACTIVITY_PREFIX}${a.activity_type}`
  return compact({
    id: a.id,
    reportId: a.report_id,
    activity: a.previous_status === null ? { $type } : { $type, previousStatus: a.previous_status },
    internalNote: a.internal_note,
    publicNote: a.public_note,
    meta: a.meta ? JSON.parse(a.meta) : undefined,
    isAutomated: a.is_automated === 1,
    createdBy: a.created_by,
    moderator: members?.get(a.created_by),
    report: reports?.get(a.report_id),
    createdAt: a.created_at,
  })
}

/** tools.ozone.queue.defs#assignmentView or tools.ozone.report.defs#assignmentView. */
export function assignmentView(a: AssignmentRow, member: View | undefined, queue: View | undefined): View {
  return compact({ id: a.id, did: a.did, moderator: member, ...(a.report_id !== null ? { reportId: a.report_id } : {}), queue, startAt: a.start_at, endAt: a.end_at })
}
