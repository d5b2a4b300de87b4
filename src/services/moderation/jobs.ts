// The background job: timed takedowns are reversed when their duration ends, and scheduled takedowns
// run when due. Each step is its own event, so a crash between two leaves nothing half done.
import * as statuses from '../../storage/moderation/statuses.ts'
import * as scheduled from '../../storage/moderation/scheduled.ts'
import type { ModContext } from './context.ts'
import { emitEvent } from './emit.ts'
import { EV } from './status.ts'
import { ROLE } from './team.ts'

export async function runDueActions(ctx: ModContext): Promise<{ reversed: number; executed: number }> {
  const team = ctx.teamDid()
  if (!team) return { reversed: 0, executed: 0 }
  const now = ctx.now().toISOString()
  const system = { did: team, role: ROLE.admin }
  let reversed = 0
  for (const row of statuses.expiredSuspensions(ctx.db, now)) {
    const uri = row.record_path ? `at://${row.did}/${row.record_path}` : null
    try {
      await emitEvent(
        ctx,
        {
          event: { $type: EV.reverseTakedown, comment: '[SCHEDULED_REVERSAL] Reverting action as originally scheduled' },
          subject: { did: row.did, uri, cid: row.record_cid, blobCids: [], recordPath: row.record_path },
          createdBy: team,
        },
        system,
      )
      reversed++
    } catch (err) {
      ctx.log.error('could not reverse a timed takedown', { did: row.did, uri, err })
    }
  }
  let executed = 0
  for (const action of scheduled.dueScheduled(ctx.db, now)) {
    const data = JSON.parse(action.event_data ?? '{}') as Record<string, unknown>
    try {
      const event = await emitEvent(
        ctx,
        {
          event: { ...data, $type: EV.takedown },
          subject: { did: action.did, uri: null, cid: null, blobCids: [], recordPath: '' },
          createdBy: action.created_by,
        },
        system,
      )
      scheduled.finishScheduled(ctx.db, action.id, { status: 'executed', at: ctx.now().toISOString(), eventId: event.id })
      executed++
    } catch (err) {
      scheduled.finishScheduled(ctx.db, action.id, { status: 'failed', at: ctx.now().toISOString(), failure: (err as Error).message })
    }
  }
  return { reversed, executed }
}
