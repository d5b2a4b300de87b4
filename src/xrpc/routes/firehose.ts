// The subscribeRepos WebSocket route. It is registered before the generic /xrpc/:nsid route; plain
// HTTP GETs (no Upgrade header) fall through to src/api/com/atproto/sync/subscribeRepos.ts.
import type { ServerWebSocket } from 'bun'
import type { Plugin } from '../app.ts'
import type { Firehose, Subscriber } from '../../services/sequencer/firehose.ts'
import { errorFrame } from '../../services/sequencer/frames.ts'
import { SubscriberLimits } from '../../services/sequencer/limits.ts'
import { clientIp } from '../client-ip.ts'

// What Elysia hands the callbacks: its wrapper, with Bun's ServerWebSocket as `raw`.
type ElysiaSocket = { raw: ServerWebSocket<any>; data: unknown }

export const SUBSCRIBE_REPOS_PATH = '/xrpc/com.atproto.sync.subscribeRepos'
/** The labeler's stream: the same replay, framing and backpressure (src/services/moderation/labeler.ts). */
export const SUBSCRIBE_LABELS_PATH = '/xrpc/com.atproto.label.subscribeLabels'

/** WebSocket close code 1013: try again later (the server is at its subscriber limit). */
const CLOSE_TRY_AGAIN_LATER = 1013

export type FirehosePluginOptions = {
  limits?: SubscriberLimits
  /** config.rateLimits.trustedProxies: whose X-Forwarded-For names the client. */
  trustedProxies?: string[]
  /** Default: subscribeRepos. */
  path?: string
}

export function firehosePlugin(firehose: Firehose, opts: FirehosePluginOptions = {}): Plugin {
  const limits = opts.limits ?? new SubscriberLimits()
  const subscribers = new WeakMap<object, { sub?: Subscriber; ip?: string }>()
  const handlers = {
    open(ws: ElysiaSocket) {
      const raw = ws.raw
      const data = ws.data as { query?: Record<string, string | undefined>; request?: Request }
      const cursor = parseCursor(data.query?.cursor)
      if (cursor === null) {
        raw.send(errorFrame('InvalidRequest', 'cursor must be a non-negative integer'))
        raw.close(1008, 'InvalidRequest')
        return
      }
      const peer = { requestIP: () => ({ address: raw.remoteAddress }) }
      const ip = data.request ? clientIp(data.request, peer, opts.trustedProxies ?? []) : raw.remoteAddress
      const refused = limits.acquire(ip)
      if (refused) {
        raw.send(errorFrame(refused.error, refused.message))
        raw.close(CLOSE_TRY_AGAIN_LATER, refused.error)
        return
      }
      subscribers.set(raw, { ip, sub: firehose.subscribe(raw, cursor, ip) })
    },
    drain(ws: ElysiaSocket) {
      subscribers.get(ws.raw)?.sub?.onDrain()
    },
    close(ws: ElysiaSocket) {
      const entry = subscribers.get(ws.raw)
      if (!entry) return
      subscribers.delete(ws.raw)
      entry.sub?.onClose()
      if (entry.ip !== undefined) limits.release(entry.ip)
    },
  }
  // Elysia's option typing intersects its own wrapper type with ours; the runtime shape is the same.
  return (app) => app.ws(opts.path ?? SUBSCRIBE_REPOS_PATH, handlers as any)
}

/** undefined: no cursor; null: malformed. */
function parseCursor(raw: string | undefined): number | undefined | null {
  if (raw === undefined || raw === '') return undefined
  if (!/^\d{1,15}$/.test(raw)) return null
  return Number(raw)
}
