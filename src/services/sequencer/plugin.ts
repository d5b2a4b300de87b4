// The subscribeRepos WebSocket route. It is registered before the generic /xrpc/:nsid route; plain
// HTTP GETs (no Upgrade header) fall through to src/api/com/atproto/sync/subscribeRepos.ts.
import type { ServerWebSocket } from 'bun'
import type { Plugin } from '../../xrpc/app.ts'
import type { Firehose, Subscriber } from './firehose.ts'
import { errorFrame } from './frames.ts'

// What Elysia hands the callbacks: its wrapper, with Bun's ServerWebSocket as `raw`.
type ElysiaSocket = { raw: ServerWebSocket<any>; data: unknown }

export const SUBSCRIBE_REPOS_PATH = '/xrpc/com.atproto.sync.subscribeRepos'

export function firehosePlugin(firehose: Firehose): Plugin {
  const subscribers = new WeakMap<object, Subscriber>()
  const handlers = {
    open(ws: ElysiaSocket) {
      const raw = ws.raw
      const query = (ws.data as { query?: Record<string, string | undefined> }).query
      const cursor = parseCursor(query?.cursor)
      if (cursor === null) {
        raw.send(errorFrame('InvalidRequest', 'cursor must be a non-negative integer'))
        raw.close(1008, 'InvalidRequest')
        return
      }
      subscribers.set(raw, firehose.subscribe(raw, cursor))
    },
    drain(ws: ElysiaSocket) {
      subscribers.get(ws.raw)?.onDrain()
    },
    close(ws: ElysiaSocket) {
      subscribers.get(ws.raw)?.onClose()
      subscribers.delete(ws.raw)
    },
  }
  // Elysia's option typing intersects its own wrapper type with ours; the runtime shape is the same.
  return (app) => app.ws(SUBSCRIBE_REPOS_PATH, handlers as any)
}

/** undefined: no cursor; null: malformed. */
function parseCursor(raw: string | undefined): number | undefined | null {
  if (raw === undefined || raw === '') return undefined
  if (!/^\d{1,15}$/.test(raw)) return null
  return Number(raw)
}
