// The audit log of operator actions: who (the admin password, or an account named in PDS_ADMIN_HANDLES),
// what, to whom, when and from which address. Written by every console action and `pds account reset-2fa`;
// read by the console's audit page and `pds audit`.
import type { Database } from 'bun:sqlite'
import * as rows from '../../storage/account/admin-console.ts'

/** Who acted: the admin password, or an account of PDS_ADMIN_HANDLES signed in with its own credentials. */
export type Operator = { kind: 'admin' } | { kind: 'account'; did: string; handle: string }

export const ADMIN: Operator = { kind: 'admin' }

export type AuditEntry = {
  id: number
  at: string
  /** 'admin', or the account's DID. */
  actor: string
  /** The account's handle when it acted (absent for the admin password). */
  actorHandle?: string
  action: string
  /** A DID, an invite code, or '' when the action has no subject (a sign-in). */
  subject: string
  detail?: string
  ip?: string
}

export const MAX_AUDIT_PAGE = 500
const MAX_DETAIL = 500

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(by: Operator, action: string, o: { subject?: string; detail?: string; ip?: string | null } = {}): AuditEntry {
    const row = {
      at: this.now().toISOString(),
      actor: by.kind === 'admin' ? 'admin' : by.did,
      actorHandle: by.kind === 'admin' ? null : by.handle,
      action,
      subject: o.subject ?? '',
      detail: o.detail ? o.detail.slice(0, MAX_DETAIL) : null,
      ip: o.ip ?? null,
    }
    return toEntry({ id: rows.insertAudit(this.db, row), ...row })
  }

  /** Newest first. `cursor` is the previous page's; a full page carries the next one. */
  list(opts: { limit: number; cursor?: string; subject?: string }): { entries: AuditEntry[]; cursor?: string } {
    const limit = Math.max(1, Math.min(MAX_AUDIT_PAGE, Math.floor(opts.limit)))
    const before = opts.cursor && /^\d+$/.test(opts.cursor) ? Number(opts.cursor) : undefined
    const found = rows.listAudit(this.db, { before, limit, subject: opts.subject })
    return { entries: found.map(toEntry), cursor: found.length === limit ? String(found.at(-1)!.id) : undefined }
  }
}

function toEntry(r: rows.AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    ...(r.actorHandle && { actorHandle: r.actorHandle }),
    action: r.action,
    subject: r.subject,
    ...(r.detail && { detail: r.detail }),
    ...(r.ip && { ip: r.ip }),
  }
}
