/** @jsxImportSource ../ui/jsx */
// /admin/accounts/view?did=…: one account, what it holds, and every operator action the admin API has
// (takedown and its reversal with a reason, deactivation, password, email, handle, invites, a message,
// second factors, deletion). Destructive ones ask again (account-actions.tsx); every one is audited.
import type { Child } from '../ui/jsx/jsx-runtime.ts'
import { ActionButton, Card, Form, formatBytes, Notice, When } from '../ui/components.tsx'
import { PageProblem } from '../ui/errors.ts'
import { ACCOUNTS_PATH } from './accounts.tsx'
import { type AdminRequest, type SignedInAdmin } from './context.ts'
import { STATUS_LABEL } from './format.ts'
import { asOperator } from './router.ts'
import { adminPage } from './shell.tsx'
import { AuditTable } from './audit.tsx'

const DONE: Record<string, string> = {
  takedown: 'The account is taken down: its sessions ended and the firehose announced it.',
  'reverse-takedown': 'The takedown is reversed: the account is active again.',
  deactivate: 'The account is deactivated.',
  activate: 'The account is active again.',
  'reset-password': 'The password was changed and every session of the account ended.',
  'change-email': 'The email address was changed (unconfirmed until its holder confirms it).',
  'change-handle': 'The handle was changed.',
  'disable-invites': 'The account can no longer use or get invite codes.',
  'enable-invites': 'The account can use invite codes again.',
  'send-email': 'The message was queued for delivery.',
  'reset-2fa': 'Every second factor was removed; the account signs in with its password alone.',
}

const act = (name: string) => `${ACCOUNTS_PATH}/${name}`

function TextField(p: { name: string; label: string; value?: string; type?: string; autocomplete?: string; required?: boolean; hint?: string }) {
  const id = `f-${p.name}`
  return (
    <div>
      <label for={id}>{p.label}</label>
      <input id={id} name={p.name} type={p.type ?? 'text'} value={p.value} autocomplete={p.autocomplete ?? 'off'} required={p.required} spellcheck={false} autocapitalize="none" aria-describedby={p.hint ? `${id}-hint` : undefined} />
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
    </div>
  )
}

function ActionForm(p: { r: SignedInAdmin; name: string; did: string; label: string; children?: Child; danger?: boolean }) {
  return (
    <Form action={act(p.name)} csrf={p.r.csrf} label={p.label} class="action">
      <input type="hidden" name="did" value={p.did} />
      {p.children}
      <button type="submit" class={p.danger ? 'danger' : undefined}>
        {p.label}
      </button>
    </Form>
  )
}

export function showAccount(r: AdminRequest, o: { error?: string; shown?: Child; status?: number } = {}): Response {
  const s = asOperator(r)
  const did = r.url.searchParams.get('did') ?? r.form.get('did') ?? ''
  const { accounts, console: ops, repo } = s.app.services
  const account = did ? accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true }) : null
  if (!account) throw new PageProblem(404, 'No such account', 'There is no account with that DID here (it may have been deleted).')
  const status = account.takedownRef ? 'takendown' : account.deactivatedAt ? 'deactivated' : 'active'
  const stats = repo.stats(account.did)
  const factors = accounts.factors.status(account.did)
  const invites = accounts.getAccountInviteCodes(account.did)
  const history = ops.audit.list({ limit: 20, subject: account.did })
  const done = DONE[r.url.searchParams.get('done') ?? '']
  const name = account.handle ? `@${account.handle}` : account.did
  return adminPage(
    s,
    {
      title: name,
      current: ACCOUNTS_PATH,
      children: (
        <>
          <p>
            <a href={ACCOUNTS_PATH}>← All accounts</a>
          </p>
          <h1 class="mono">{name}</h1>
          {done && <Notice kind="ok">{done}</Notice>}
          {o.error && <Notice kind="error">{o.error}</Notice>}
          {o.shown}
          <Card title="Account">
            <dl class="facts">
              <dt>DID</dt>
              <dd class="mono">{account.did}</dd>
              <dt>Handle</dt>
              <dd>{account.handle ?? '(none)'}</dd>
              <dt>Email</dt>
              <dd>
                {account.email ?? '(none)'} {account.email && (account.emailConfirmedAt ? <span class="badge ok">confirmed</span> : <span class="badge">unconfirmed</span>)}
              </dd>
              <dt>Created</dt>
              <dd>
                <When at={account.createdAt} />
              </dd>
              <dt>State</dt>
              <dd>
                <span class={`badge ${status === 'active' ? 'ok' : 'warn'}`}>{STATUS_LABEL[status]}</span>
                {account.takedownRef && <> reason: {account.takedownRef}</>}
                {account.deactivatedAt && (
                  <>
                    {' '}
                    since <When at={account.deactivatedAt} />
                  </>
                )}
              </dd>
              <dt>Repository</dt>
              <dd>{stats ? `${stats.records} records, ${formatBytes(stats.repoBytes)} of blocks, ${stats.blobs} blobs (${formatBytes(stats.blobBytes)})` : 'no repository'}</dd>
              <dt>Second factors</dt>
              <dd>
                {[factors.totp && 'authenticator app', factors.emailAuthFactor && 'email code', factors.passkeys > 0 && `${factors.passkeys} passkey(s)`, factors.backupCodesRemaining > 0 && `${factors.backupCodesRemaining} backup codes`]
                  .filter(Boolean)
                  .join(', ') || 'none'}
              </dd>
              <dt>Invites</dt>
              <dd>
                {account.invitesDisabled ? 'disabled' : 'enabled'} · {invites.length} code{invites.length === 1 ? '' : 's'}
              </dd>
            </dl>
          </Card>

          <Card title="Moderation">
            {account.takedownRef ? (
              <ActionForm r={s} name="reverse-takedown" did={account.did} label="Reverse takedown">
                <TextField name="reason" label="Why (kept in the audit log)" />
              </ActionForm>
            ) : (
              <ActionForm r={s} name="takedown" did={account.did} label="Take down" danger>
                <TextField name="reason" label="Reason (kept as the takedown reference)" required hint="The account's sessions end, its repo stops being served and the firehose announces #account takendown. Reversible." />
              </ActionForm>
            )}
            {account.deactivatedAt ? (
              <ActionForm r={s} name="activate" did={account.did} label="Reactivate" />
            ) : (
              <ActionForm r={s} name="deactivate" did={account.did} label="Deactivate" danger />
            )}
          </Card>

          <Card title="Sign-in">
            <ActionForm r={s} name="reset-password" did={account.did} label="Set a new password">
              <TextField name="password" label="New password" type="password" autocomplete="new-password" hint="Leave empty to generate one; it is shown once. Every session of the account ends." />
            </ActionForm>
            <ActionForm r={s} name="reset-2fa" did={account.did} label="Remove second factors" danger />
          </Card>

          <Card title="Email and handle">
            <ActionForm r={s} name="change-email" did={account.did} label="Change email">
              <TextField name="email" label="New email address" type="email" required />
            </ActionForm>
            <ActionForm r={s} name="change-handle" did={account.did} label="Change handle">
              <TextField name="handle" label="New handle" required hint="Any valid handle (reserved names allowed); updates the DID document for did:plc accounts." />
            </ActionForm>
          </Card>

          <Card title="Invites">
            {account.invitesDisabled ? (
              <ActionButton action={act('enable-invites')} csrf={s.csrf} label="Enable invites" hidden={{ did: account.did }} />
            ) : (
              <ActionButton action={act('disable-invites')} csrf={s.csrf} label="Disable invites" hidden={{ did: account.did }} variant="secondary" />
            )}
          </Card>

          <Card title="Send a message">
            <ActionForm r={s} name="send-email" did={account.did} label="Send">
              <TextField name="subject" label="Subject" />
              <label for="f-content">Message</label>
              <textarea id="f-content" name="content" required></textarea>
            </ActionForm>
          </Card>

          <Card title="Delete">
            <p>Removes the account, its repository, blobs and keys. This cannot be undone.</p>
            <ActionForm r={s} name="delete" did={account.did} label="Delete account" danger />
          </Card>

          <Card title="History">
            <AuditTable entries={history.entries} />
          </Card>
        </>
      ),
    },
    { status: o.status },
  )
}
