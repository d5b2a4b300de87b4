/** @jsxImportSource ../ui/jsx */
// The review queue filtered by a report queue (tools.ozone.queue): that queue's reports in the chosen
// review state, newest first, each leading to its subject's page.
import { Card, When } from '../ui/components.tsx'
import { MOD_BASE, type Member } from './context.ts'

/** Report statuses behind each review state the console filters by. */
const STATUSES: Record<string, string[]> = { open: ['open', 'queued', 'assigned'], escalated: ['escalated'], closed: ['closed'] }

export type QueueOption = { id: number; name: string; enabled: boolean }

export function queueOptions(m: Member): QueueOption[] {
  return m.moderation.reporting.queues.list({ limit: 100 }).queues as QueueOption[]
}

type ReportItem = { id: number; status: string; reportType: string; createdAt: string; subject: { subject: string; type: string; repo?: { handle?: string } }; reporter: { repo?: { handle?: string } }; reportedBy: string }

/** Rendered before the page (the JSX runtime is synchronous). */
export async function queueReports(m: Member, queue: QueueOption, state: string, subjectType?: 'account' | 'record') {
  const lists = await Promise.all(
    (STATUSES[state] ?? []).map((status) => m.moderation.reporting.desk.query({ status, queueId: queue.id, subjectType, limit: 50, isMuted: state === 'open' ? false : undefined })),
  )
  const reports = (lists.flatMap((l) => l.reports) as ReportItem[]).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id).slice(0, 50)
  return (
    <Card title={`${state[0]!.toUpperCase()}${state.slice(1)} reports in ${queue.name}`}>
      {reports.length ? (
        <ul class="items">
          {reports.map((rep) => {
            const handle = rep.subject.repo?.handle
            return (
              <li>
                <div class="what">
                  <SubjectLink subject={rep.subject.subject} isRecord={rep.subject.type === 'record'} handle={handle} />
                  <div class="muted small">
                    {rep.reportType.split('#').pop()} · {rep.status} · reported <When at={rep.createdAt} /> by @{rep.reporter.repo?.handle ?? rep.reportedBy}
                  </div>
                </div>
              </li>
            )
          })}
        </ul>
      ) : (
        <p class="muted">Nothing here.</p>
      )}
    </Card>
  )
}

/** A queue entry's heading: who or what, linked to its subject page, with the subject's key under it. */
export function SubjectLink(props: { subject: string; isRecord: boolean; handle?: string }) {
  const who = `@${props.handle ?? props.subject}`
  return (
    <>
      <a href={`${MOD_BASE}/subject?s=${encodeURIComponent(props.subject)}`}>{props.isRecord ? `Post or record by ${who}` : `Account ${who}`}</a>
      <div class="muted small mono">{props.subject}</div>
    </>
  )
}
