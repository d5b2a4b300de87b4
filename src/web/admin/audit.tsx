/** @jsxImportSource ../ui/jsx */
// /admin/audit: the audit log, newest first, 50 a page: who (the admin password or an operator account),
// what, to whom, when, from where. `pds audit` prints the same entries.
import type { AuditEntry } from '../../services/admin/index.ts'
import { When } from '../ui/components.tsx'
import { accountHref } from './accounts.tsx'
import { ADMIN_BASE, type AdminRequest } from './context.ts'
import { asOperator } from './router.ts'
import { adminPage } from './shell.tsx'

export const AUDIT_PATH = `${ADMIN_BASE}/audit`

export function AuditTable(p: { entries: AuditEntry[] }) {
  if (p.entries.length === 0) return <p class="muted">Nothing recorded yet.</p>
  return (
    <div class="table-wrap" tabindex="0" role="region" aria-label="Audit entries">
      <table class="data stacked">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Subject</th>
            <th scope="col">Detail</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {p.entries.map((e) => (
            <tr>
              <td data-label="When">
                <When at={e.at} />
              </td>
              <td data-label="Who">{e.actorHandle ? `@${e.actorHandle}` : e.actor}</td>
              <td data-label="Action">{e.action}</td>
              <td data-label="Subject" class="mono">{e.subject.startsWith('did:') ? <a href={accountHref(e.subject)}>{e.subject}</a> : e.subject || '—'}</td>
              <td data-label="Detail">{e.detail ?? ''}</td>
              <td data-label="From" class="mono">{e.ip ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function showAudit(r: AdminRequest): Response {
  const s = asOperator(r)
  const cursor = r.url.searchParams.get('cursor') ?? undefined
  const page = s.app.services.console.audit.list({ limit: 50, cursor })
  return adminPage(s, {
    title: 'Audit log',
    current: AUDIT_PATH,
    children: (
      <>
        <h1>Audit log</h1>
        <p class="muted">Every action taken in this console and by <code>pds account reset-2fa</code>, newest first. <code>pds audit</code> prints it too.</p>
        <AuditTable entries={page.entries} />
        <nav class="pager" aria-label="Pages">
          {cursor && <a href={AUDIT_PATH}>Newest entries</a>}
          {page.cursor && <a href={`${AUDIT_PATH}?cursor=${page.cursor}`}>Older entries</a>}
        </nav>
      </>
    ),
  })
}
