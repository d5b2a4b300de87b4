// Endpoints taken from DID documents are chosen by strangers: outside dev mode, only public https hosts.
// (Configured services — AppView, report, mod — are the operator's choice and are not checked.)
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { invalidInput } from '../errors.ts'

function ipv4Private(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number]
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19))
  )
}

function ipv6Private(ip: string): boolean {
  const lower = ip.toLowerCase()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (mapped) return ipv4Private(mapped[1]!)
  if (lower === '::' || lower === '::1') return true
  const first = parseInt(lower.split(':')[0] || '0', 16)
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00
}

export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip)
  if (family === 4) return ipv4Private(ip)
  if (family === 6) return ipv6Private(ip)
  return true
}

export type HostLookup = (hostname: string) => Promise<string[]>
const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address)

/** Throws unless `endpoint` is https and every address its host resolves to is public. */
export async function assertPublicEndpoint(endpoint: string, resolveHost: HostLookup = systemLookup): Promise<void> {
  const url = new URL(endpoint)
  if (url.protocol !== 'https:') throw invalidInput('proxy service endpoint must use https')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.localhost')) throw invalidInput('proxy service endpoint is not a public address')
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : await resolveHost(host)
  } catch {
    throw invalidInput('could not resolve proxy service host')
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw invalidInput('proxy service endpoint is not a public address')
  }
}
