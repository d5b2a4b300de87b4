// Records a moderation event on a subject and acts on it (takedown, label, email...). Team members; roles limit what.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { forModerationTeam, teamAuth, teamCaller } from '../../../_util/ozone.ts'
import { eventView } from '../../../../services/moderation/views.ts'

export default defineHandler<
  unknown,
  {
    event: Record<string, any>
    subject: unknown
    subjectBlobCids?: string[]
    modTool?: unknown
    externalId?: string
    reportAction?: { ids?: number[]; types?: string[]; all?: boolean; note?: string }
  }
>({
  nsid: 'tools.ozone.moderation.emitEvent',
  auth: teamAuth, // a team member's session or service JWT, or the admin password (teamCaller)
  servedHere: forModerationTeam,
  handler: async (ctx) => {
    const caller = await teamCaller(ctx)
    const { event, subject, subjectBlobCids, modTool, externalId, reportAction } = ctx.input
    const row = await ctx.services.moderation.emitEvent({ event, subject, subjectBlobCids, modTool, externalId, reportAction }, caller)
    return eventView(ctx.services.moderation.ctx, row)
  },
})
