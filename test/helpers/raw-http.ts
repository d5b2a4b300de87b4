// HTTP/1.1 over a plain socket, for what fetch cannot send: unnormalised paths, lying Content-Length,
// a body written in full before the answer is read, Connection: close.
import net from 'node:net'

export type RawResponse = { status: number; headers: Record<string, string>; body: string; error?: string }

export type RawRequestOptions = {
  /** Body bytes written after the head (the head states its own Content-Length / Transfer-Encoding). */
  body?: Uint8Array | string
  /** Write everything before reading, as a blocking client does (default: read while writing). */
  readAfterWrite?: boolean
  timeoutMs?: number
}

/** Sends `head` (request line and headers, without the blank line) and parses the first response. */
export function rawRequest(port: number, head: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let settled = false
    const finish = (error?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ ...parseResponse(Buffer.concat(chunks)), ...(error ? { error } : {}) })
    }
    const socket = net.connect(port, '127.0.0.1', () => {
      if (opts.readAfterWrite) socket.pause()
      socket.write(`${head}\r\n\r\n`)
      if (opts.body === undefined) return void socket.resume()
      socket.write(opts.body, () => socket.resume())
    })
    socket.on('data', (d: Buffer) => {
      chunks.push(d)
      if (isComplete(Buffer.concat(chunks))) finish()
    })
    socket.on('error', (err) => finish((err as NodeJS.ErrnoException).code ?? String(err)))
    socket.on('close', () => finish())
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 10_000)
  })
}

function splitHead(raw: Buffer): { head: string; rest: Buffer } | undefined {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  return { head: raw.subarray(0, end).toString('latin1'), rest: raw.subarray(end + 4) }
}

function headersOf(head: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}

function dechunk(rest: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = rest.indexOf('\r\n', at)
    if (eol < 0) return { body: Buffer.concat(parts), complete: false }
    const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16)
    if (size === 0) return { body: Buffer.concat(parts), complete: true }
    if (rest.length < eol + 2 + size) return { body: Buffer.concat(parts), complete: false }
    parts.push(rest.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

function isComplete(raw: Buffer): boolean {
  const split = splitHead(raw)
  if (!split) return false
  const headers = headersOf(split.head)
  if (headers['transfer-encoding'] === 'chunked') return dechunk(split.rest).complete
  return split.rest.length >= Number(headers['content-length'] ?? 0)
}

function parseResponse(raw: Buffer): Omit<RawResponse, 'error'> {
  const split = splitHead(raw)
  if (!split) return { status: 0, headers: {}, body: '' }
  const headers = headersOf(split.head)
  const status = Number(split.head.split(' ')[1])
  const body = headers['transfer-encoding'] === 'chunked' ? dechunk(split.rest).body : split.rest
  return { status, headers, body: body.toString('utf8') }
}
