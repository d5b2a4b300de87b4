// Reports stored here (when the bundled moderation team is on, src/services/moderation) as the console
// lists and acts on them: resolve (acknowledge) or escalate, as the operator, each audited. The admin
// password acts as the team lead (as it does for tools.ozone.*); an operator account that is a team
// member acts with its own role.
import type { ModerationService } from '../moderation/index.ts'
import type { ReportStatus } from '../moderation/reports.ts'
import { forbidden } from '../errors.ts'
import type { AuditLog } from './audit.ts'
import type { Acting } from './actions.ts'

export type ReportQueue = Pick<ModerationService, 'enabled' | 'listReports' | 'resolveReport' | 'escalateReport' | 'operator' | 'callerFor'>

export class ReportActions {
  constructor(
    private readonly moderation: ReportQueue,
    private readonly audit: AuditLog,
  ) {}

  get enabled(): boolean {
    return this.moderation.enabled
  }

  list(q: { status?: ReportStatus; cursor?: string }) {
    return this.moderation.listReports({ ...q, limit: 50 })
  }

  private caller(a: Acting) {
    const caller = a.by.kind === 'account' ? (this.moderation.callerFor(a.by.did) ?? this.moderation.operator()) : this.moderation.operator()
    if (!caller) throw forbidden('There is no moderation team on this server, so reports are not kept here.')
    return caller
  }

  /** Closes the report's subject (Ozone's acknowledge). The audit names the subject as the event recorded it. */
  async resolve(a: Acting, reportId: number, comment?: string) {
    const row = await this.moderation.resolveReport(reportId, this.caller(a), comment || undefined)
    this.audit.record(a.by, 'resolve-report', { subject: row.subject_uri ?? row.subject_did, detail: `report ${reportId}${comment ? `: ${comment}` : ''}`, ip: a.ip })
  }

  async escalate(a: Acting, reportId: number, comment?: string) {
    const row = await this.moderation.escalateReport(reportId, this.caller(a), comment || undefined)
    this.audit.record(a.by, 'escalate-report', { subject: row.subject_uri ?? row.subject_did, detail: `report ${reportId}${comment ? `: ${comment}` : ''}`, ip: a.ip })
  }
}
