/** @jsxImportSource ../ui/jsx */
// /admin/reports: reports kept here by the bundled moderation service (com.atproto.moderation.createReport
// with a team and no report service), newest first by the subject's review state: reporter, subject,
// reason, state; resolve or escalate each (audited). The full review tools are the team's /mod console.
import type { ReportListing, ReportStatus } from '../../services/moderation/reports.ts'
import { Form, Notice, When } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { accountHref } from './accounts.tsx'
import { acting, ADMIN_BASE, type AdminRequest, type SignedInAdmin } from './context.ts'
import { asOperator } from './router.ts'
import { adminPage } from './shell.tsx'

export const REPORTS_PATH = `${ADMIN_BASE}/reports`
const STATES: Array<{ value: ReportStatus; label: string }> = [
  { value: 'open', label: 'Open' },
  { value: 'escalated', label: 'Escalated' },
  { value: 'closed', label: 'Resolved' },
]
const REVIEW_LABEL: Record<string, string> = { reviewOpen: 'open', reviewEscalated: 'escalated', reviewClosed: 'resolved', reviewNone: 'not reviewed' }
const short = (nsidRef: string) => nsidRef.split('#').pop() ?? nsidRef

function Subject(p: { s: SignedInAdmin; subject: Record<string, unknown> }) {
  const did = typeof p.subject.did === 'string' ? p.subject.did : undefined
  const uri = typeof p.subject.uri === 'string' ? p.subject.uri : undefined
  const owner = did ?? (uri ? uri.split('/')[2] : undefined)
  const handle = owner ? p.s.app.services.accounts.getAccount(owner, { includeDeactivated: true, includeTakenDown: true })?.handle : undefined
  return (
    <span>
      {uri ? 'Record ' : 'Account '}
      {owner && handle ? <a href={accountHref(owner)}>@{handle}</a> : <span class="mono">{owner ?? '?'}</span>}
      {uri && <div class="mono small">{uri}</div>}
    </span>
  )
}

function ReportRow(p: { s: SignedInAdmin; r: ReportListing; back: string }) {
  const reporter = p.s.app.services.accounts.getAccount(p.r.reportedBy, { includeDeactivated: true, includeTakenDown: true })?.handle
  const state = short(p.r.reviewState).replace('#', '')
  return (
    <li>
      <div class="what">
        <Subject s={p.s} subject={p.r.subject} /> <span class={`badge ${state === 'reviewClosed' ? 'ok' : 'warn'}`}>{REVIEW_LABEL[state] ?? state}</span>
        <div class="small">
          {short(p.r.reasonType)}
          {p.r.reason && <>: “{p.r.reason}”</>}
        </div>
        <div class="small muted">
          Reported by {reporter ? <a href={accountHref(p.r.reportedBy)}>@{reporter}</a> : <span class="mono">{p.r.reportedBy}</span>} on <When at={p.r.createdAt} /> · report {p.r.id}
        </div>
      </div>
      <Form action={`${REPORTS_PATH}/act`} csrf={p.s.csrf} label={`Act on report ${p.r.id}`}>
        <input type="hidden" name="id" value={String(p.r.id)} />
        <input type="hidden" name="back" value={p.back} />
        <label for={`c-${p.r.id}`} class="small">
          Note (optional)
        </label>
        <input id={`c-${p.r.id}`} name="comment" type="text" />
        <div class="row">
          <button type="submit" name="do" value="resolve" class="small" aria-label={`Resolve report ${p.r.id}`}>
            Resolve
          </button>
          <button type="submit" name="do" value="escalate" class="secondary small" aria-label={`Escalate report ${p.r.id}`}>
            Escalate
          </button>
        </div>
      </Form>
    </li>
  )
}

export function showReports(r: AdminRequest, o: { error?: string; status?: number } = {}): Response {
  const s = asOperator(r)
  const reports = s.app.services.console.reports
  const wanted = r.url.searchParams.get('status') ?? 'open'
  const status = STATES.find((x) => x.value === wanted)?.value ?? 'open'
  const cursor = r.url.searchParams.get('cursor') ?? undefined
  const page = reports.enabled ? reports.list({ status, cursor }) : { reports: [] }
  const back = `${REPORTS_PATH}?status=${status}`
  const done = r.url.searchParams.get('done')
  return adminPage(
    s,
    {
      title: 'Reports',
      current: REPORTS_PATH,
      children: (
        <>
          <h1>Reports</h1>
          {!reports.enabled ? (
            <p>
              No moderation team on this server: reports go to the report service (PDS_REPORT_SERVICE_URL) as on the reference PDS. Set one up with <code>pds moderation enable</code> to keep
              reports here (README “Moderation”).
            </p>
          ) : (
            <>
              <p class="muted">
                Reports kept by this server’s moderation team. Review a subject in full (labels, takedown with a duration, history) in the team’s <a href="/mod">moderation console</a>.
              </p>
              {done && <Notice kind="ok">{done === 'escalate' ? 'Escalated.' : 'Resolved.'}</Notice>}
              {o.error && <Notice kind="error">{o.error}</Notice>}
              <nav class="pager" aria-label="Report states">
                {STATES.map((x) =>
                  x.value === status ? (
                    <strong aria-current="page">{x.label}</strong>
                  ) : (
                    <a href={`${REPORTS_PATH}?status=${x.value}`}>{x.label}</a>
                  ),
                )}
              </nav>
              {page.reports.length === 0 ? (
                <p class="muted">No {STATES.find((x) => x.value === status)!.label.toLowerCase()} reports.</p>
              ) : (
                <section class="card" aria-label="Reports">
                  <ul class="items">
                    {page.reports.map((rep) => (
                      <ReportRow s={s} r={rep} back={back} />
                    ))}
                  </ul>
                </section>
              )}
              {page.cursor && (
                <nav class="pager" aria-label="Pages">
                  <a href={`${back}&cursor=${encodeURIComponent(page.cursor)}`}>Older reports</a>
                </nav>
              )}
            </>
          )}
        </>
      ),
    },
    { status: o.status },
  )
}

/** POST /admin/reports/act: resolve or escalate one report. */
export async function actOnReport(r: AdminRequest): Promise<Response> {
  const s = asOperator(r)
  const id = Number(field(s.form, 'id'))
  const what = field(s.form, 'do')
  const back = field(s.form, 'back').startsWith(REPORTS_PATH) ? field(s.form, 'back') : REPORTS_PATH
  try {
    if (!Number.isInteger(id) || (what !== 'resolve' && what !== 'escalate')) return showReports(s, { error: 'Choose resolve or escalate for a listed report.', status: 400 })
    const comment = field(s.form, 'comment').slice(0, 500)
    if (what === 'resolve') await s.app.services.console.reports.resolve(acting(s), id, comment)
    else await s.app.services.console.reports.escalate(acting(s), id, comment)
    return seeOther(`${back}${back.includes('?') ? '&' : '?'}done=${what}`, s.cookies)
  } catch (err) {
    const message = serviceMessage(err)
    if (message) return showReports(s, { error: message, status: 400 })
    throw err
  }
}
