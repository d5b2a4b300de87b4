/** @jsxImportSource ../ui/jsx */
// /account/mod/scheduled: takedowns scheduled for later (tools.ozone.moderation.scheduleAction), by status;
// moderators cancel an account's pending ones.
import { ActionButton, Card, Notice, When } from '../ui/components.tsx'
import { field } from '../ui/form.ts'
import { PageProblem } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import type { WebRequest } from '../account/context.ts'
import { isModerator } from '../../services/moderation/team.ts'
import { asMember, MOD_BASE, orRefusalPage } from './context.ts'
import { modPage } from './shell.tsx'

export const SCHEDULED_PATH = `${MOD_BASE}/scheduled`
const STATUSES = ['pending', 'executed', 'cancelled', 'failed']

export async function showScheduled(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const wanted = r.url.searchParams.get('status') ?? 'pending'
  const status = STATUSES.includes(wanted) ? wanted : 'pending'
  const { actions } = m.moderation.scheduler.list({ statuses: [status], limit: 100 })
  const handles = new Map<string, string>()
  for (const a of actions) {
    const did = String(a.did)
    if (!handles.has(did)) handles.set(did, m.app.services.accounts.getAccount(did, { includeDeactivated: true })?.handle ?? did)
  }
  const cancelled = r.url.searchParams.get('cancelled')
  return modPage(m, {
    title: 'Scheduled',
    current: SCHEDULED_PATH,
    children: (
      <>
        <h1>Scheduled actions</h1>
        {cancelled && <Notice kind="ok">Cancelled the pending actions on {cancelled}.</Notice>}
        <form method="get" action={SCHEDULED_PATH} class="row" aria-label="Filter by status">
          <div>
            <label for="f-status">Status</label>
            <select id="f-status" name="status">
              {STATUSES.map((s) => (
                <option value={s} selected={s === status}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="secondary">
            Show
          </button>
        </form>
        <Card title={`${status[0]!.toUpperCase()}${status.slice(1)} takedowns`}>
          {actions.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="items">
              {actions.map((a) => {
                const did = String(a.did)
                const when = (a.executeAt ?? a.executeAfter) as string | undefined
                return (
                  <li>
                    <div class="what">
                      <a href={`${MOD_BASE}/subject?s=${encodeURIComponent(did)}`}>
                        <strong>@{handles.get(did)}</strong>
                      </a>{' '}
                      · takedown {a.executeAfter ? 'between ' : 'at '}
                      {when && <When at={when} />}
                      {a.executeUntil && (
                        <>
                          {' '}
                          and <When at={String(a.executeUntil)} />
                        </>
                      )}
                      {a.lastFailureReason && <div class="small">Failed: {String(a.lastFailureReason)}</div>}
                      <div class="muted small mono">{did}</div>
                    </div>
                    {status === 'pending' && isModerator(m.caller) && (
                      <ActionButton action={`${SCHEDULED_PATH}/cancel`} csrf={m.csrf} hidden={{ did }} label="Cancel" variant="secondary" small ariaLabel={`Cancel the takedown of @${handles.get(did)}`} />
                    )}
                  </li>
                )
              })}
            </ul>
          )}
        </Card>
      </>
    ),
  })
}

export async function cancelScheduled(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const did = field(r.form, 'did')
  const { failed } = await orRefusalPage('Not cancelled', () => m.moderation.scheduler.cancel(m.caller, [did]))
  if (failed.length) throw new PageProblem(400, 'Nothing to cancel', 'That account has no pending scheduled actions any more.')
  const handle = m.app.services.accounts.getAccount(did, { includeDeactivated: true })?.handle ?? did
  return seeOther(`${SCHEDULED_PATH}?cancelled=${encodeURIComponent(handle)}`)
}
