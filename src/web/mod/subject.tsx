/** @jsxImportSource ../ui/jsx */
// /account/mod/subject?s=<did or at:// URI>: the account or record, its content, its status and history
// (reports included), and the actions a member's role allows.
import { Card, Form, Notice, When } from '../ui/components.tsx'
import { PageProblem } from '../ui/errors.ts'
import type { WebRequest } from '../account/context.ts'
import { isModerator } from '../../services/moderation/team.ts'
import { DomainError } from '../../services/errors.ts'
import { asMember, MOD_BASE, type Member } from './context.ts'
import { modPage } from './shell.tsx'

const short = (type: string) => type.split('#modEvent')[1] ?? type.split('#')[1] ?? type

function TextArea(p: { name: string; label: string; required?: boolean }) {
  return (
    <div>
      <label for={`f-${p.name}`}>{p.label}</label>
      <textarea id={`f-${p.name}`} name={p.name} rows={3} required={p.required} />
    </div>
  )
}

function Action(p: { m: Member; subject: string; cid?: string; action: string; label: string; children?: unknown; danger?: boolean }) {
  return (
    <Form action={`${MOD_BASE}/act`} csrf={p.m.csrf} label={p.label}>
      <input type="hidden" name="subject" value={p.subject} />
      {p.cid && <input type="hidden" name="cid" value={p.cid} />}
      <input type="hidden" name="action" value={p.action} />
      {p.children as never}
      <button type="submit" class={p.danger ? 'danger' : undefined}>
        {p.label}
      </button>
    </Form>
  )
}

async function load(m: Member, subject: string) {
  const q = m.moderation.queries
  try {
    if (subject.startsWith('at://')) {
      const record = await q.getRecord(subject)
      return { record, repo: (record as { repo?: Record<string, any> }).repo ?? null }
    }
    return { record: null, repo: await q.getRepo(subject) }
  } catch (err) {
    if (err instanceof DomainError) throw new PageProblem(404, 'Subject not found', `${subject} is not an account or record this server can show.`)
    throw err
  }
}

export async function showSubject(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const subject = r.url.searchParams.get('s') ?? ''
  if (!subject) throw new PageProblem(400, 'No subject', 'Open a subject from the reports queue.')
  const { record, repo } = (await load(m, subject)) as { record: Record<string, any> | null; repo: Record<string, any> | null }
  const status = ((record ?? repo) as { moderation?: { subjectStatus?: Record<string, any> } } | null)?.moderation?.subjectStatus
  const { events } = await m.moderation.queries.queryEvents({ subject, limit: 100 })
  const labels = ((record ?? repo) as { labels?: Array<{ val: string }> } | null)?.labels ?? []
  const cid = (record as { cid?: string } | null)?.cid
  const done = r.url.searchParams.get('done')
  const elsewhere = repo?.did ? await m.moderation.queries.hostedElsewhere(String(repo.did)) : null
  const canTakeDown = isModerator(m.caller)
  const templates = canTakeDown ? m.moderation.config.enabledTemplates() : []
  return modPage(m, {
    title: 'Subject',
    current: MOD_BASE,
    children: (
      <>
        <h1>{record ? 'Record' : 'Account'} @{repo?.handle ?? subject}</h1>
        {done && <Notice kind="ok">Done: {done}.</Notice>}
        <Card title="Status">
          <p class="mono small">{subject}</p>
          <p>
            Review: {status ? short(status.reviewState) : 'none yet'}
            {status?.takendown && <> · <strong>taken down</strong>{status.suspendUntil && <> until <When at={status.suspendUntil} /></>}</>}
          </p>
          <p>Labels: {labels.length ? labels.map((l) => l.val).join(', ') : 'none'}</p>
        </Card>
        <Card title="Content">
          {elsewhere && <p class="muted">Hosted on {elsewhere}: shown as that server serves it now.</p>}
          {record ? (
            <pre>{JSON.stringify(record.value, null, 2)}</pre>
          ) : (
            <p>
              Account {String(repo?.did)}{canTakeDown && <> · email {String(repo?.email ?? 'unknown')}</>} · since <When at={String(repo?.indexedAt ?? 0)} />
            </p>
          )}
        </Card>
        <Card title="Act">
          <Action m={m} subject={subject} cid={cid} action="acknowledge" label="Acknowledge">
            <TextArea name="comment" label="Comment (optional)" />
          </Action>
          <Action m={m} subject={subject} cid={cid} action="escalate" label="Escalate" />
          <Action m={m} subject={subject} cid={cid} action="comment" label="Add comment">
            <TextArea name="comment" label="Comment" required />
          </Action>
          {canTakeDown && (
            <>
              <Action m={m} subject={subject} cid={cid} action="label" label="Apply labels">
                <div>
                  <label for="f-labels">Labels (comma-separated)</label>
                  <input id="f-labels" name="labels" type="text" required />
                </div>
              </Action>
              {status?.takendown ? (
                <Action m={m} subject={subject} cid={cid} action="reverseTakedown" label="Reverse takedown" />
              ) : (
                <Action m={m} subject={subject} cid={cid} action="takedown" label="Take down" danger>
                  <div>
                    <label for="f-duration">Duration</label>
                    <select id="f-duration" name="durationInHours">
                      <option value="">permanent</option>
                      <option value="24">24 hours</option>
                      <option value="72">3 days</option>
                      <option value="168">7 days</option>
                    </select>
                  </div>
                  <TextArea name="comment" label="Reason (kept in the history)" />
                </Action>
              )}
              {!record && (
                <Action m={m} subject={subject} action="email" label="Send email">
                  {templates.length > 0 && (
                    <div>
                      <label for="f-template">Template (its subject and text unless you write your own)</label>
                      <select id="f-template" name="template">
                        <option value="">none</option>
                        {templates.map((t) => (
                          <option value={t.id}>{t.name}</option>
                        ))}
                      </select>
                    </div>
                  )}
                  <div>
                    <label for="f-subjectLine">Email subject</label>
                    <input id="f-subjectLine" name="subjectLine" type="text" />
                  </div>
                  <TextArea name="content" label="Message" />
                </Action>
              )}
            </>
          )}
          {!canTakeDown && <p class="muted">Your role reviews: taking down, labelling and email are for moderators.</p>}
        </Card>
        <Card title="History">
          <ul class="items">
            {events.map((e: any) => (
              <li>
                <div class="what">
                  <strong>{short(e.event.$type)}</strong> by @{e.creatorHandle ?? e.createdBy} · <When at={e.createdAt} />
                  {e.event.reportType && <div class="small">Reason: {short(e.event.reportType)}</div>}
                  {e.event.comment && <div class="small">{e.event.comment}</div>}
                </div>
              </li>
            ))}
          </ul>
        </Card>
      </>
    ),
  })
}
