// A raw subscribeRepos client for tests: decoded frames as they arrive, and how the socket closed.
import { decodeFrame } from '../../src/services/sequencer/frames.ts'

export type Frame = ReturnType<typeof decodeFrame>
export type Subscription = { ws: WebSocket; frames: Frame[]; closed: Promise<{ code: number; reason: string }> }

export function subscribeRepos(port: number, opts: { cursor?: number; headers?: Record<string, string> } = {}): Promise<Subscription> {
  const query = opts.cursor === undefined ? '' : `?cursor=${opts.cursor}`
  // Bun's WebSocket client accepts headers (e.g. X-Forwarded-For from the loopback "proxy").
  const ws = new WebSocket(`ws://127.0.0.1:${port}/xrpc/com.atproto.sync.subscribeRepos${query}`, opts.headers ? ({ headers: opts.headers } as unknown as string[]) : undefined)
  ws.binaryType = 'arraybuffer'
  const frames: Frame[] = []
  ws.onmessage = (e) => frames.push(decodeFrame(new Uint8Array(e.data as ArrayBuffer)))
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.onclose = (e) => resolve({ code: e.code, reason: e.reason })
  })
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve({ ws, frames, closed })
    ws.onerror = reject
  })
}

/** Every stored frame from the start, read until the stream has been quiet for 150 ms. */
export async function replayAll(port: number): Promise<Frame[]> {
  const { ws, frames } = await subscribeRepos(port, { cursor: 0 })
  let seen = -1
  while (seen !== frames.length) {
    seen = frames.length
    await Bun.sleep(150)
  }
  ws.close()
  return frames
}
