/** @jsxImportSource ../ui/jsx */
// /admin/accounts: every account, newest first, 25 a page, searchable by handle, email or DID and
// filtered by state; each row leads to the account's page.
import { formatBytes, Notice, When } from '../ui/components.tsx'
import { ADMIN_BASE, type AdminRequest } from './context.ts'
import { count, STATUS_LABEL } from './format.ts'
import { asOperator } from './router.ts'
import { adminPage } from './shell.tsx'

export const ACCOUNTS_PATH = `${ADMIN_BASE}/accounts`
const STATUSES = ['active', 'deactivated', 'takendown'] as const
type Status = (typeof STATUSES)[number]

export const accountHref = (did: string) => `${ACCOUNTS_PATH}/view?did=${encodeURIComponent(did)}`

export function showAccounts(r: AdminRequest): Response {
  const s = asOperator(r)
  const q = (r.url.searchParams.get('q') ?? '').trim().slice(0, 200)
  const wanted = r.url.searchParams.get('status') ?? ''
  const status = (STATUSES as readonly string[]).includes(wanted) ? (wanted as Status) : undefined
  const result = s.app.services.console.searchAccounts({ query: q || undefined, status }, Number(r.url.searchParams.get('page') ?? 1))
  const pageHref = (page: number) => {
    const p = new URLSearchParams()
    if (q) p.set('q', q)
    if (status) p.set('status', status)
    p.set('page', String(page))
    return `${ACCOUNTS_PATH}?${p}`
  }
  return adminPage(s, {
    title: 'Accounts',
    current: ACCOUNTS_PATH,
    children: (
      <>
        <h1>Accounts</h1>
        {r.url.searchParams.get('deleted') && <Notice kind="ok">Deleted {r.url.searchParams.get('deleted')}.</Notice>}
        <form method="get" action={ACCOUNTS_PATH} class="search" role="search" aria-label="Find accounts">
          <div>
            <label for="q">Handle, email or DID</label>
            <input id="q" name="q" type="text" value={q} spellcheck={false} autocapitalize="none" />
          </div>
          <div>
            <label for="status">State</label>
            <select id="status" name="status">
              <option value="">Any</option>
              {STATUSES.map((v) => (
                <option value={v} selected={v === status}>
                  {STATUS_LABEL[v]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Search</button>
        </form>
        <p class="muted" role="status">
          {count(result.total)} account{result.total === 1 ? '' : 's'}
          {q && ` matching “${q}”`}
          {result.pages > 1 && ` · page ${result.page} of ${result.pages}`}
        </p>
        {result.entries.length > 0 && (
          <div class="table-wrap" tabindex="0" role="region" aria-label="Accounts">
            <table class="data stacked">
              <thead>
                <tr>
                  <th scope="col">Handle</th>
                  <th scope="col">Email</th>
                  <th scope="col">DID</th>
                  <th scope="col">Created</th>
                  <th scope="col">State</th>
                  <th scope="col">Repo size</th>
                  <th scope="col">Last write</th>
                </tr>
              </thead>
              <tbody>
                {result.entries.map((e) => (
                  <tr>
                    <td data-label="Handle">
                      <a href={accountHref(e.did)}>{e.handle ? `@${e.handle}` : '(no handle)'}</a>
                    </td>
                    <td data-label="Email">{e.email ?? '—'}</td>
                    <td data-label="DID" class="mono">{e.did}</td>
                    <td data-label="Created">{e.createdAt.slice(0, 10)}</td>
                    <td data-label="State">
                      <span class={`badge ${e.status === 'active' ? 'ok' : 'warn'}`}>{STATUS_LABEL[e.status]}</span>
                    </td>
                    <td data-label="Repo size" class="num">{e.repoBytes === null ? '—' : formatBytes(e.repoBytes)}</td>
                    <td data-label="Last write">{e.lastWriteAt ? <When at={e.lastWriteAt} /> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {result.pages > 1 && (
          <nav class="pager" aria-label="Pages">
            {result.page > 1 && <a href={pageHref(result.page - 1)}>Previous page</a>}
            {result.page < result.pages && <a href={pageHref(result.page + 1)}>Next page</a>}
          </nav>
        )}
      </>
    ),
  })
}
