// The one way the server fetches a URL a user chose (an endpoint in a DID document, OAuth client
// metadata, a did:web document, a handle's well-known file, a notification webhook) without becoming
// a proxy into its own network. The host is resolved once; if any address is private, loopback,
// link-local (cloud metadata included) or otherwise internal the fetch is refused; otherwise the
// connection goes to exactly that address, with the original Host header and TLS server name, so a
// DNS answer that changes between the check and the connect (rebinding) cannot redirect it.
// Redirects are never followed: each hop would need the same check.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'

export type HostLookup = (hostname: string) => Promise<string[]>

export const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address)

export type FetchPolicy = {
  /** Dev mode: loopback and private addresses allowed. */
  allowPrivate?: boolean
  /** Only https (everything but dev mode). */
  httpsOnly?: boolean
  /** Name resolution (tests replace it). */
  lookup?: HostLookup
  /** Which addresses count as internal (tests mark a loopback alias as public). */
  isBlocked?: (address: string) => boolean
}

export class BlockedDestinationError extends Error {
  constructor(
    readonly reason: 'scheme' | 'credentials' | 'unresolvable' | 'private',
    message: string,
  ) {
    super(message)
    this.name = 'BlockedDestinationError'
  }
}

function ipv4Blocked(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number]
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT (and Alibaba's metadata address)
    (a === 169 && b === 254) || // link-local: cloud metadata services live here
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19))
  )
}

function ipv6Blocked(ip: string): boolean {
  const lower = ip.toLowerCase()
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
  const embedded = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (embedded) return ipv4Blocked(embedded[1]!)
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16)
    const lo = parseInt(hexMapped[2]!, 16)
    return ipv4Blocked(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`)
  }
  if (lower === '::' || lower === '::1') return true
  const first = parseInt(lower.split(':')[0] || '0', 16)
  // unique-local fc00::/7 (AWS metadata fd00:ec2::254), link-local fe80::/10, multicast ff00::/8
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00
}

/** True for addresses a server must never be made to call on a stranger's behalf. Non-IPs count as blocked. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '')
  const family = isIP(ip)
  if (family === 4) return ipv4Blocked(ip)
  if (family === 6) return ipv6Blocked(ip)
  return true
}

/** A URL with the one address it may be fetched from. */
export type PinnedUrl = { url: URL; address: string }

/** Resolves the URL's host once and checks every address; the first one is the pin. */
export async function pinUrl(target: string | URL, policy: FetchPolicy = {}): Promise<PinnedUrl> {
  const url = new URL(target)
  if (url.protocol !== 'https:' && (policy.httpsOnly || url.protocol !== 'http:')) {
    throw new BlockedDestinationError('scheme', `only ${policy.httpsOnly ? 'https' : 'http(s)'} URLs can be fetched`)
  }
  if (url.username || url.password) throw new BlockedDestinationError('credentials', 'URLs with credentials are not allowed')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  if (isIP(host)) addresses = [host]
  else {
    try {
      addresses = await (policy.lookup ?? systemLookup)(host)
    } catch {
      addresses = []
    }
  }
  if (!addresses.length) throw new BlockedDestinationError('unresolvable', `could not resolve ${host}`)
  const blocked = policy.isBlocked ?? isPrivateAddress
  if (!policy.allowPrivate && addresses.some(blocked)) throw new BlockedDestinationError('private', `${host} resolves to a private address`)
  return { url, address: addresses[0]! }
}

type FetchInit = RequestInit & { tls?: Record<string, unknown>; decompress?: boolean }

/** Connects to the pinned address, presenting the URL's host in Host and in TLS (SNI and certificate check). */
export function fetchPinned(pin: PinnedUrl, init: FetchInit = {}): Promise<Response> {
  const { url, address } = pin
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host)) return fetch(url, { ...init, redirect: 'manual' } as RequestInit)
  const direct = new URL(url)
  direct.hostname = isIP(address) === 6 ? `[${address}]` : address
  const headers = new Headers(init.headers)
  headers.set('host', url.host)
  const tls = url.protocol === 'https:' ? { ...init.tls, serverName: host } : init.tls
  return fetch(direct, { ...init, headers, redirect: 'manual', ...(tls ? { tls } : {}) } as RequestInit)
}

/** pinUrl + fetchPinned: what everything that leaves the server on a user's behalf calls. */
export async function guardedFetch(target: string | URL, init: FetchInit = {}, policy: FetchPolicy = {}): Promise<Response> {
  const pin = await pinUrl(target, policy)
  // Dev mode has nothing to keep out: fetch by name, so "localhost" finds whichever of ::1/127.0.0.1 listens.
  if (policy.allowPrivate) return fetch(pin.url, { ...init, redirect: 'manual' } as RequestInit)
  return fetchPinned(pin, init)
}
