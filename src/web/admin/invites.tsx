/** @jsxImportSource ../ui/jsx */
// /admin/invites: every invite code (newest first) with its uses; create one, disable one. Audited.
import { Card, Copyable, Form, Notice, When } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { accountHref } from './accounts.tsx'
import { acting, ADMIN_BASE, type AdminRequest } from './context.ts'
import { count } from './format.ts'
import { asOperator } from './router.ts'
import { adminPage } from './shell.tsx'

export const INVITES_PATH = `${ADMIN_BASE}/invites`

export function showInvites(r: AdminRequest, o: { error?: string; created?: string; status?: number } = {}): Response {
  const s = asOperator(r)
  const { console: ops, accounts, config } = s.app.services
  const list = ops.listInvites(Number(r.url.searchParams.get('page') ?? 1))
  const handleOf = (did: string) => accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })?.handle
  const disabled = r.url.searchParams.get('disabled')
  return adminPage(
    s,
    {
      title: 'Invites',
      current: INVITES_PATH,
      children: (
        <>
          <h1>Invite codes</h1>
          <p class="muted">{config.invites.required ? 'Sign-up needs an invite code on this server.' : 'Sign-up does not need an invite code on this server (PDS_INVITE_REQUIRED is off).'}</p>
          {o.created && (
            <Notice kind="ok">
              Created: <Copyable value={o.created} label={`invite code ${o.created}`} />
            </Notice>
          )}
          {disabled && <Notice kind="ok">Disabled {disabled}.</Notice>}
          {o.error && <Notice kind="error">{o.error}</Notice>}
          <Card title="New code">
            <Form action={`${INVITES_PATH}/create`} csrf={s.csrf} label="Create an invite code">
              <label for="f-uses">Uses</label>
              <input id="f-uses" name="uses" type="number" min="1" max="1000" value="1" required />
              <label for="f-for">For account (optional)</label>
              <input id="f-for" name="for" type="text" spellcheck={false} autocapitalize="none" aria-describedby="f-for-hint" />
              <p class="hint" id="f-for-hint">
                A handle or DID: the code is listed as that account’s. Empty: the operator’s.
              </p>
              <button type="submit">Create code</button>
            </Form>
          </Card>
          <Card title={`All codes (${count(list.total)})`}>
            {list.codes.length === 0 ? (
              <p class="muted">No invite codes yet.</p>
            ) : (
              <ul class="items">
                {list.codes.map((c) => {
                  const left = Math.max(0, c.available - c.uses.length)
                  return (
                    <li>
                      <div class="what">
                        <code>{c.code}</code>
                        {c.disabled ? <span class="badge warn">Disabled</span> : left > 0 ? <span class="badge ok">{left} of {c.available} left</span> : <span class="badge">Used up</span>}
                        <div class="small muted">
                          Created <When at={c.createdAt} /> for {c.forAccount === 'admin' ? 'the operator' : (handleOf(c.forAccount) ?? c.forAccount)}
                        </div>
                        {c.uses.length > 0 && (
                          <ul class="small">
                            {c.uses.map((u) => (
                              <li>
                                Used by <a href={accountHref(u.usedBy)}>{handleOf(u.usedBy) ? `@${handleOf(u.usedBy)}` : u.usedBy}</a> on <When at={u.usedAt} />
                              </li>
                            ))}
                          </ul>
                        )}
                      </div>
                      {!c.disabled && (
                        <Form action={`${INVITES_PATH}/disable`} csrf={s.csrf} label={`Disable ${c.code}`}>
                          <input type="hidden" name="code" value={c.code} />
                          <button type="submit" class="secondary small" aria-label={`Disable ${c.code}`}>
                            Disable
                          </button>
                        </Form>
                      )}
                    </li>
                  )
                })}
              </ul>
            )}
            {list.pages > 1 && (
              <nav class="pager" aria-label="Pages">
                {list.page > 1 && <a href={`${INVITES_PATH}?page=${list.page - 1}`}>Newer codes</a>}
                {list.page < list.pages && <a href={`${INVITES_PATH}?page=${list.page + 1}`}>Older codes</a>}
              </nav>
            )}
          </Card>
        </>
      ),
    },
    { status: o.status },
  )
}

export function createInvite(r: AdminRequest): Response {
  const s = asOperator(r)
  try {
    const code = s.app.services.console.actions.createInvite(acting(s), Number(field(s.form, 'uses')), field(s.form, 'for').replace(/^@/, '') || undefined)
    return showInvites(s, { created: code })
  } catch (err) {
    const message = serviceMessage(err)
    if (message) return showInvites(s, { error: message, status: 400 })
    throw err
  }
}

export function disableInvite(r: AdminRequest): Response {
  const s = asOperator(r)
  const code = field(s.form, 'code')
  s.app.services.console.actions.disableInvite(acting(s), code)
  return seeOther(`${INVITES_PATH}?disabled=${encodeURIComponent(code)}`, s.cookies)
}
