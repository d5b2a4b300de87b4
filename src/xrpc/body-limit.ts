// Oversized request bodies: always a JSON 413, and one the client gets to read. Bun's own body limit
// answers an empty 413 before any handler runs, so the server lifts it (main.ts) and refuses here;
// and since closing a socket with unread request bytes resets it (the client loses the answer,
// typically one that writes its whole body before reading), the answer's stream stays open while a
// bounded amount of the body is read and thrown away.
import { errorResponse, PayloadTooLargeError, type XRPCError } from './errors.ts'

/** What is discarded at most after a 413 before the connection may close. */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024
const DRAIN_MAX_MS = 2_000
/** A client that stopped sending (it read the 413) needs no more waiting. */
const DRAIN_IDLE_MS = 200

/** The 413 answer; its body ends once the request body is read (or the drain budget is spent). */
export function tooLargeResponse(req: Request, err: XRPCError, headers: Record<string, string> = {}): Response {
  const plain = errorResponse(err, headers)
  const reader = unreadBody(req)
  if (!reader) return plain
  const json = JSON.stringify(err.toJSON())
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(json))
      await drain(reader)
      controller.close()
    },
  })
  return new Response(body, { status: plain.status, headers: plain.headers })
}

function unreadBody(req: Request): ReadableStreamDefaultReader<Uint8Array> | undefined {
  if (!req.body || req.bodyUsed) return undefined
  try {
    return req.body.getReader() as ReadableStreamDefaultReader<Uint8Array>
  } catch {
    return undefined // already being read elsewhere (a handler's stream): nothing left to drain here
  }
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const deadline = Date.now() + DRAIN_MAX_MS
  let total = 0
  try {
    while (total < DRAIN_MAX_BYTES && Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), Math.min(DRAIN_IDLE_MS, deadline - Date.now()))))
      const next = await Promise.race([reader.read(), idle])
      clearTimeout(timer)
      if (next === 'idle' || next.done) break
      total += next.value.byteLength
    }
  } catch {
    // the client went away: nothing to wait for
  }
  reader.cancel().catch(() => {})
}

/**
 * A request whose declared Content-Length is beyond anything this server accepts, refused before
 * routing. Chunked bodies outside /xrpc/ (forms and OAuth endpoints, whose clients always send a
 * length) are refused with 411, since those routes read their bodies whole.
 */
export function refuseOversizedBody(req: Request, maxBytes: number, headers: Record<string, string>): Response | undefined {
  const length = req.headers.get('content-length')
  if (length !== null && Number(length) > maxBytes) {
    return tooLargeResponse(req, PayloadTooLargeError('request entity too large'), headers)
  }
  if (length === null && req.headers.has('transfer-encoding') && !new URL(req.url).pathname.startsWith('/xrpc/')) {
    return Response.json({ error: 'InvalidRequest', message: 'Length Required' }, { status: 411, headers })
  }
  return undefined
}
