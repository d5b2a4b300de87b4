// Request bodies as the reference's xrpc-server reads them: gzip, deflate and br are decoded (size
// limits apply to the decoded bytes), any other Content-Encoding is 415, and a JSON body is UTF-8.
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib'
import { InvalidRequestError, PayloadTooLargeError, XRPCError } from './errors.ts'

type Coding = 'gzip' | 'deflate' | 'br'
const CODINGS: Record<string, Coding> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br' }
const unsupported = (message: string) => new XRPCError(415, 'UnsupportedMediaType', message)

/** The codings applied to the body, in the order they were applied; throws 415 for one we cannot undo. */
export function requestCodings(req: Request): Coding[] {
  const header = req.headers.get('content-encoding')
  if (!header) return []
  const codings: Coding[] = []
  for (const token of header.split(',')) {
    const name = token.trim().toLowerCase()
    if (name === '' || name === 'identity') continue
    const coding = CODINGS[name]
    if (!coding) throw unsupported('unsupported content-encoding')
    codings.push(coding)
  }
  return codings
}

/** Undoes `codings` on a whole body, refusing to produce more than `limit` bytes. */
export function decodeBytes(bytes: Buffer, codings: Coding[], limit: number): Buffer {
  let out = bytes
  for (const coding of [...codings].reverse()) {
    const opts = { maxOutputLength: Math.max(limit, 1) }
    try {
      out = coding === 'gzip' ? gunzipSync(out, opts) : coding === 'deflate' ? inflateSync(out, opts) : brotliDecompressSync(out, opts)
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw PayloadTooLargeError('request entity too large')
      throw InvalidRequestError('unable to decode request body')
    }
  }
  return out
}

const STREAM_FORMATS: Record<Coding, string> = { gzip: 'gzip', deflate: 'deflate', br: 'brotli' }

/** Undoes `codings` on a streamed body (the consumer bounds the decoded size); corrupt data is a 400. */
export function decodeStream(body: ReadableStream<Uint8Array>, codings: Coding[]): ReadableStream<Uint8Array> {
  let decoded = body
  for (const coding of [...codings].reverse()) {
    const decoder = new DecompressionStream(STREAM_FORMATS[coding] as 'gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>
    decoded = decoded.pipeThrough(decoder)
  }
  const reader = decoded.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch {
        controller.error(InvalidRequestError('unable to decode request body'))
      }
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

/** A JSON body must be UTF-8 (a charset parameter naming anything else is refused, not guessed at). */
export function assertUtf8Charset(contentType: string | null): void {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')
  if (!match) return
  const charset = match[1]!.toLowerCase()
  if (charset !== 'utf-8' && charset !== 'utf8') throw unsupported(`unsupported charset "${match[1]!.toUpperCase()}"`)
}
