// Where our own subjects stand, as Ozone learns it from the firehose (automod's account, identity and
// record events): this server's #account events and record updates and deletions set the hosting fields
// of the subjects the moderation service already tracks. No event is logged (the subject's history
// stays the moderators'); subjects it does not track are left alone.
import type { RepoEventSink } from '../events.ts'
import * as statuses from '../../storage/moderation/statuses.ts'
import type { ModContext } from './context.ts'
import { EV, hosting } from './status.ts'

function noteHosting(ctx: ModContext, did: string, recordPath: string, event: Record<string, unknown>): void {
  if (!ctx.teamDid()) return
  const row = statuses.getStatus(ctx.db, { did, recordPath })
  if (!row) return
  const { id: _, ...next } = row
  hosting(next, event, ctx.now().toISOString())
  statuses.putStatus(ctx.db, next)
}

/**
 * Wraps the firehose sink the account and repo services write to: everything passes on unchanged, and
 * hosting changes are noted afterwards, off the write path. The sink itself stays what it is elsewhere.
 */
export class HostingWatch {
  private readonly tees = new WeakMap<RepoEventSink, RepoEventSink>()
  /** `ctx`: the moderation service's, once it is built. */
  constructor(private readonly ctx: () => ModContext | undefined) {}

  around(sink: RepoEventSink): RepoEventSink {
    let tee = this.tees.get(sink)
    if (!tee) this.tees.set(sink, (tee = this.tee(sink)))
    return tee
  }

  private tee(sink: RepoEventSink): RepoEventSink {
    const later = (fn: (ctx: ModContext) => void) =>
      queueMicrotask(() => {
        const ctx = this.ctx()
        if (!ctx) return
        try {
          fn(ctx)
        } catch (err) {
          ctx.log.warn('could not note a hosting change for moderation', { err })
        }
      })
    return {
      commit(evt, durable) {
        const result = sink.commit(evt, durable)
        const changed = evt.ops.filter((op) => op.action !== 'create')
        if (changed.length) later((ctx) => changed.forEach((op) => noteHosting(ctx, evt.did, op.path, { $type: EV.recordEvent, op: op.action })))
        return result
      },
      sync: (did, commit) => sink.sync(did, commit),
      identity: (did, handle) => sink.identity(did, handle),
      account(did, active, status) {
        sink.account(did, active, status)
        // Unlike a remote host's event, ours always says where the account stands: active when no status.
        later((ctx) => noteHosting(ctx, did, '', { $type: EV.accountEvent, active, status: status ?? (active ? 'active' : 'unknown') }))
      },
    }
  }
}
