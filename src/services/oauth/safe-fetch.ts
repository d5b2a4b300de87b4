// Fetching client-supplied URLs without becoming an SSRF proxy: https only, public addresses only
// (loopback allowed in dev mode), no redirects, a timeout and a size cap.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'

export class SafeFetchError extends Error {
  name = 'SafeFetchError'
}

export type SafeFetchOptions = { devMode: boolean; maxBytes: number; timeoutMs: number }

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** True for addresses a server should never be made to call: private, loopback, link-local, etc. */
export function isPrivateAddress(ip: string): boolean {
  const v = ip.toLowerCase().replace(/^\[|\]$/g, '')
  if (isIP(v) === 4) {
    const [a, b] = v.split('.').map(Number) as [number, number]
    return (
      a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)) || a >= 224
    )
  }
  if (isIP(v) === 6) {
    if (v === '::' || v === '::1') return true
    if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7))
    return /^(fc|fd|fe[89ab]|ff)/.test(v)
  }
  return true
}

async function assertPublicHost(url: URL, devMode: boolean) {
  if (devMode && LOOPBACK_HOSTS.has(url.hostname)) return
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address)
  if (!addresses.length) throw new SafeFetchError(`Could not resolve ${url.hostname}`)
  if (addresses.some(isPrivateAddress)) throw new SafeFetchError(`${url.hostname} resolves to a private address`)
}

/** GETs a JSON document and returns its parsed body. */
export async function safeFetchJson(target: string, opts: SafeFetchOptions): Promise<unknown> {
  const url = new URL(target)
  const devLoopback = opts.devMode && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !devLoopback) throw new SafeFetchError('Only https URLs can be fetched')
  if (url.username || url.password) throw new SafeFetchError('URLs with credentials are not allowed')
  await assertPublicHost(url, opts.devMode)
  let res: Response
  try {
    res = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
      headers: { accept: 'application/json' },
    })
  } catch (err) {
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
