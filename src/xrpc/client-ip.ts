// The caller's IP: X-Forwarded-For is honoured only when the peer is loopback or a configured proxy.
export type PeerSource = { requestIP(req: Request): { address: string } | null } | null | undefined

const isLoopback = (ip: string) => ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.')

export function clientIp(req: Request, server: PeerSource, trustedProxies: string[]): string {
  const peer = normalize(server?.requestIP(req)?.address ?? '127.0.0.1')
  const trusted = (ip: string) => isLoopback(ip) || trustedProxies.includes(ip)
  if (!trusted(peer)) return peer
  const forwarded = req.headers.get('x-forwarded-for')
  if (!forwarded) return peer
  // Walk from the nearest hop outwards and stop at the first address we do not trust.
  const hops = forwarded.split(',').map((s) => normalize(s.trim())).filter(Boolean)
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted(hops[i]!) || i === 0) return hops[i]!
  }
  return peer
}

function normalize(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
