// GET /_admin/audit?limit=N&cursor=C: the audit log for `pds audit`, newest first. Admin Basic auth; no
// lexicon defines this (as /_admin/reset-2fa), so it lives beside XRPC rather than inside a namespace.
import type { Plugin } from '../app.ts'
import { isAdmin } from '../auth.ts'
import { MAX_AUDIT_PAGE, type AuditLog } from '../../services/admin/audit.ts'

const fail = (status: number, error: string, message: string) => Response.json({ error, message }, { status })

export function adminAuditPlugin(opts: { adminPassword: string; audit: AuditLog }): Plugin {
  return (app) =>
    app.get('/_admin/audit', ({ request }) => {
      if (!isAdmin(request, opts.adminPassword)) return fail(401, 'AuthenticationRequired', 'Admin credentials required')
      const url = new URL(request.url)
      const limitParam = url.searchParams.get('limit') ?? '50'
      const limit = Number(limitParam)
      if (!/^\d+$/.test(limitParam) || limit < 1 || limit > MAX_AUDIT_PAGE) return fail(400, 'InvalidRequest', `limit must be a whole number from 1 to ${MAX_AUDIT_PAGE}`)
      return Response.json(opts.audit.list({ limit, cursor: url.searchParams.get('cursor') ?? undefined }))
    })
}
