/** @jsxImportSource ../ui/jsx */
// GET /account: the overview. Who the account is (handle, DID), its email and whether it is confirmed,
// its status, what the repo holds, and when it last changed.
import { tidTimestamp } from '../../core/syntax/tid.ts'
import { ActionButton, Card, Copyable, formatBytes, Notice, When } from '../ui/components.tsx'
import { BASE, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

const NOTICES: Record<string, string> = {
  'confirmation-sent': 'We sent a confirmation code to your email address.',
  'email-confirmed': 'Your email address is confirmed.',
  reactivated: 'Your account is active again.',
}

function StatusLine(p: { status?: string }) {
  if (p.status === 'deactivated') return <span class="badge warn">Deactivated</span>
  if (p.status === 'takendown') return <span class="badge warn">Taken down</span>
  return <span class="badge ok">Active</span>
}

export function showDashboard(r: WebRequest): Response {
  const s = asSignedIn(r)
  const { account } = s
  const stats = s.app.services.repo.stats(account.did)
  const lastChange = stats?.rev ? Math.floor(tidTimestamp(stats.rev) / 1000) : null
  const notice = NOTICES[r.url.searchParams.get('done') ?? '']
  return accountPage(s, {
    title: 'Overview',
    current: BASE,
    children: (
      <>
        <h1>Your account</h1>
        {notice && <Notice kind="ok">{notice}</Notice>}
        <Card title="Identity">
          <dl class="facts">
            <dt>Handle</dt>
            <dd>
              @{account.handle ?? 'handle.invalid'} <a href={`${BASE}/handle`}>Change</a>
            </dd>
            <dt>DID</dt>
            <dd>
              <Copyable value={account.did} label="DID" />
            </dd>
            <dt>Status</dt>
            <dd>
              <StatusLine status={account.status} /> {account.deactivatedAt && <a href={`${BASE}/deactivate`}>Reactivate</a>}
            </dd>
            <dt>Created</dt>
            <dd>
              <When at={account.createdAt} />
            </dd>
          </dl>
        </Card>
        <Card title="Email">
          <dl class="facts">
            <dt>Address</dt>
            <dd>
              {account.email ?? 'none'}{' '}
              {account.email && (account.emailConfirmedAt ? <span class="badge ok">Confirmed</span> : <span class="badge warn">Not confirmed</span>)}
            </dd>
          </dl>
          {account.email && !account.emailConfirmedAt && (
            <div class="row">
              <ActionButton action={`${BASE}/email/send-confirmation`} csrf={r.csrf} label="Send confirmation code" variant="secondary" />
              <a class="button secondary" href={`${BASE}/email`}>
                Enter the code
              </a>
            </div>
          )}
        </Card>
        <Card title="Your data">
          {stats ? (
            <div class="grid">
              <div>
                <div class="stat">{formatBytes(stats.repoBytes)}</div>
                <div class="muted">repository size</div>
              </div>
              <div>
                <div class="stat">{stats.records.toLocaleString('en')}</div>
                <div class="muted">records</div>
              </div>
              <div>
                <div class="stat">{stats.blobs.toLocaleString('en')}</div>
                <div class="muted">blobs ({formatBytes(stats.blobBytes)})</div>
              </div>
              <div>
                <div class="stat small">{lastChange ? <When at={lastChange} /> : 'never'}</div>
                <div class="muted">last change to your repository</div>
              </div>
            </div>
          ) : (
            <p>This account has no repository on this server yet.</p>
          )}
        </Card>
        <Card title="Leave">
          <p>
            <a href={`${BASE}/deactivate`}>Deactivate your account</a> (a pause, everything kept) or <a href={`${BASE}/delete`}>delete it</a> (for good).
          </p>
        </Card>
      </>
    ),
  })
}
