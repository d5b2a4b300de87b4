// Reports as rows, queues, assignments and statistics (tools.ozone.report.*, tools.ozone.queue.*), in one
// place the moderation service exposes as `reporting`.
import * as store from '../../storage/moderation/reports.ts'
import type { ModContext } from './context.ts'
import { ReportAssignments } from './reports-assign.ts'
import { ReportDesk, type ReportActionInput } from './reports-desk.ts'
import { ReportQueues } from './reports-queues.ts'
import { ReportStats } from './reports-stats.ts'
import type { ModSubject } from './subject.ts'

export type { ReportActionInput } from './reports-desk.ts'

export class Reporting {
  readonly stats: ReportStats
  readonly queues: ReportQueues
  readonly desk: ReportDesk
  readonly assignments: ReportAssignments

  constructor(private readonly ctx: ModContext) {
    this.stats = new ReportStats(ctx)
    this.queues = new ReportQueues(ctx, this.stats)
    this.desk = new ReportDesk(ctx, this.stats)
    this.assignments = new ReportAssignments(ctx, this.desk)
  }

  /**
   * Wraps a moderation event that targets reports (emitEvent's reportAction, the console acting on one
   * report): the targets are checked first, so a bad reportAction records nothing; after the event they
   * move as it says.
   */
  async withReportAction<T extends { id: number; type: string }>(subject: Pick<ModSubject, 'did' | 'recordPath'>, action: ReportActionInput | undefined, createdBy: string, emit: () => Promise<T>): Promise<T> {
    const targets = action ? this.desk.reportActionTargets(subject, action) : []
    const row = await emit()
    if (action) this.desk.applyReportAction(targets, { id: row.id, type: row.type, createdBy }, action.note)
    return row
  }

  /** The report row made from a report event (the console names reports by their event). */
  reportIdForEvent(eventId: number): number | undefined {
    return store.reportForEvent(this.ctx.db, eventId)?.id
  }
}
