// A DNS server on loopback UDP answering TXT queries from a map (RFC 1035 wire format, the few bits a
// TXT lookup uses): handle-resolution tests point PDS_HANDLE_BACKUP_NAMESERVERS (ours) or the
// reference's backup nameservers at it, so `_atproto.<domain>` records exist without the internet.
export type TestDns = { address: string; records: Map<string, string[]>; close(): void }

function readName(buf: Uint8Array, offset: number): { name: string; end: number } {
  const labels: string[] = []
  let at = offset
  while (buf[at]! !== 0) {
    const len = buf[at]!
    labels.push(new TextDecoder().decode(buf.subarray(at + 1, at + 1 + len)))
    at += 1 + len
  }
  return { name: labels.join('.').toLowerCase(), end: at + 1 }
}

function answer(query: Uint8Array, records: Map<string, string[]>): Uint8Array {
  const { name, end } = readName(query, 12)
  const qtype = (query[end]! << 8) | query[end + 1]!
  const question = query.subarray(12, end + 4)
  const texts = qtype === 16 ? (records.get(name) ?? []) : []
  const rcode = records.has(name) ? 0 : 3 // NXDOMAIN for names we do not know
  const parts: number[] = [query[0]!, query[1]!, 0x84 | (query[2]! & 1), 0x80 | rcode, 0, 1, 0, texts.length, 0, 0, 0, 0, ...question]
  for (const text of texts) {
    const bytes = new TextEncoder().encode(text)
    // name (pointer to the question), TXT, IN, TTL 60, rdata = one length-prefixed string
    parts.push(0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, (bytes.length + 1) >> 8, (bytes.length + 1) & 255, bytes.length, ...bytes)
  }
  return Uint8Array.from(parts)
}

export async function startDnsServer(records: Record<string, string[]> = {}): Promise<TestDns> {
  const map = new Map(Object.entries(records))
  const socket = await Bun.udpSocket({
    hostname: '127.0.0.1',
    socket: {
      data(sock, buf, port, addr) {
        sock.send(answer(new Uint8Array(buf), map), port, addr)
      },
    },
  })
  return { address: `127.0.0.1:${socket.port}`, records: map, close: () => socket.close() }
}
