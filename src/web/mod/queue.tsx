/** @jsxImportSource ../ui/jsx */
// /account/mod: the review queue, subjects by review state and type, most recently reported first.
import { Card, When } from '../ui/components.tsx'
import type { WebRequest } from '../account/context.ts'
import { asMember, MOD_BASE } from './context.ts'
import { modPage } from './shell.tsx'
import { queueOptions, queueReports, SubjectLink } from './queue-reports.tsx'

const STATES: Record<string, string> = {
  open: 'tools.ozone.moderation.defs#reviewOpen',
  escalated: 'tools.ozone.moderation.defs#reviewEscalated',
  closed: 'tools.ozone.moderation.defs#reviewClosed',
}

const subjectKey = (s: { did?: string; uri?: string }) => s.uri ?? s.did ?? ''

export async function showQueue(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const state = STATES[r.url.searchParams.get('state') ?? 'open'] ? (r.url.searchParams.get('state') ?? 'open') : 'open'
  const type = r.url.searchParams.get('type')
  const subjectType = type === 'account' || type === 'record' ? type : undefined
  // With a report queue chosen, that queue's reports instead of the subjects.
  const queues = queueOptions(m)
  const queue = queues.find((q) => String(q.id) === r.url.searchParams.get('queue'))
  const inQueue = queue && (await queueReports(m, queue, state, subjectType))
  const { subjectStatuses } = inQueue ? { subjectStatuses: [] } : await m.moderation.queries.queryStatuses({ reviewState: STATES[state], subjectType, limit: 50, includeMuted: state !== 'open' })
  return modPage(m, {
    title: 'Reports',
    current: MOD_BASE,
    children: (
      <>
        <h1>Reports</h1>
        <form method="get" action={MOD_BASE} class="row" aria-label="Filter the queue">
          <div>
            <label for="f-state">Review state</label>
            <select id="f-state" name="state">
              {Object.keys(STATES).map((k) => (
                <option value={k} selected={k === state}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-type">Subject</label>
            <select id="f-type" name="type">
              <option value="" selected={!subjectType}>
                accounts and records
              </option>
              <option value="account" selected={subjectType === 'account'}>
                accounts
              </option>
              <option value="record" selected={subjectType === 'record'}>
                records
              </option>
            </select>
          </div>
          {queues.length > 0 && (
            <div>
              <label for="f-queue">Queue</label>
              <select id="f-queue" name="queue">
                <option value="" selected={!queue}>
                  all subjects
                </option>
                {queues.map((q) => (
                  <option value={String(q.id)} selected={q.id === queue?.id}>
                    {q.enabled ? q.name : `${q.name} (disabled)`}
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="submit" class="secondary">
            Show
          </button>
        </form>
        {inQueue}
        {!inQueue && (
        <Card title={`${state[0]!.toUpperCase()}${state.slice(1)} subjects`}>
          {subjectStatuses.length ? (
            <ul class="items">
              {subjectStatuses.map((s: any) => (
                <li>
                  <div class="what">
                    <SubjectLink subject={subjectKey(s.subject)} isRecord={!!s.subject.uri} handle={s.subjectRepoHandle} />
                    <div class="muted small">
                      {s.lastReportedAt ? (
                        <>
                          Last reported <When at={s.lastReportedAt} />
                        </>
                      ) : (
                        'Not reported'
                      )}
                      {s.takendown && ' · taken down'}
                      {s.tags?.length ? ` · tags: ${s.tags.join(', ')}` : ''}
                    </div>
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">Nothing here.</p>
          )}
        </Card>
        )}
      </>
    ),
  })
}
