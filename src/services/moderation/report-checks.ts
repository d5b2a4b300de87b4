// Who may report what (Ozone's createReport checks): only a subject's author appeals, and once until the
// appeal is decided; an account the team took down may still appeal but not report others. Reporters on
// other servers are held to the same rules by their status here (a takedown there is a label, not a lockout).
import { forbidden } from '../errors.ts'
import * as statuses from '../../storage/moderation/statuses.ts'
import type { ModContext } from './context.ts'
import { isAppealReport } from './status.ts'
import type { ModSubject } from './subject.ts'

export function assertReportAllowed(ctx: ModContext, reasonType: string, subject: ModSubject, reportedBy: string): void {
  const appeal = isAppealReport(reasonType)
  if (appeal && subject.did !== reportedBy) throw forbidden('You cannot appeal this report')
  const reporter = statuses.getStatus(ctx.db, { did: reportedBy, recordPath: '' })
  if (!reporter) return
  if (appeal) {
    if (reporter.appealed) throw forbidden('Awaiting decision on previous appeal', 'AlreadyAppealed')
    return
  }
  if (reporter.takendown) throw forbidden('Report not accepted from takendown account', 'AccountTakedown')
}
