// Fetching client-supplied URLs without becoming an SSRF proxy: https only, public addresses only
// (loopback allowed in dev mode), no redirects, a timeout and a size cap.
import { BlockedDestinationError, guardedFetch } from '../net/guarded-fetch.ts'

export { isPrivateAddress } from '../net/guarded-fetch.ts'

export class SafeFetchError extends Error {
  name = 'SafeFetchError'
}

export type SafeFetchOptions = { devMode: boolean; maxBytes: number; timeoutMs: number }

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** GETs a JSON document and returns its parsed body. */
export async function safeFetchJson(target: string, opts: SafeFetchOptions): Promise<unknown> {
  const url = new URL(target)
  const devLoopback = opts.devMode && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !devLoopback) throw new SafeFetchError('Only https URLs can be fetched')
  if (url.username || url.password) throw new SafeFetchError('URLs with credentials are not allowed')
  let res: Response
  try {
    // Resolved once and connected to the checked address (loopback only in dev mode).
    res = await guardedFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs), headers: { accept: 'application/json' } }, { allowPrivate: opts.devMode && LOOPBACK_HOSTS.has(url.hostname) })
  } catch (err) {
    if (err instanceof BlockedDestinationError) {
      throw new SafeFetchError(err.reason === 'unresolvable' ? `Could not resolve ${url.hostname}` : err.reason === 'private' ? `${url.hostname} resolves to a private address` : err.message)
    }
    throw new SafeFetchError(`Fetching ${url.href} failed: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (res.status >= 300 && res.status < 400) throw new SafeFetchError('Redirects are not followed')
  if (res.status !== 200) throw new SafeFetchError(`Unexpected status ${res.status}`)
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json' && !type.endsWith('+json')) throw new SafeFetchError('Response is not JSON')
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > opts.maxBytes) throw new SafeFetchError('Response too large')
  const bytes = await readCapped(res, opts.maxBytes)
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new SafeFetchError('Response is not valid JSON')
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array()
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new SafeFetchError('Response too large')
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}
