// Firehose and sync reads against the real server (in process): write→event delivery latency with
// one subscriber, fan-out of 1,000 events to 200 subscribers, getRepo throughput and peak RSS on a
// 100k-record repo.
import { percentile, type BenchRow } from './lib.ts'
import { startAccountHarness, type AccountHarness } from '../test/e2e/account-harness.ts'
import { decodeFrame } from '../src/services/sequencer/frames.ts'

const now = () => performance.now()

type User = Awaited<ReturnType<AccountHarness['signUp']>>

async function createPost(h: AccountHarness, u: User, i: number): Promise<string> {
  const res = await fetch(`${h.server.url}/xrpc/com.atproto.repo.createRecord`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${u.agent.session!.accessJwt}` },
    body: JSON.stringify({
      repo: u.did,
      collection: 'app.bsky.feed.post',
      record: { text: `post ${i}`, createdAt: new Date().toISOString() },
    }),
  })
  if (!res.ok) throw new Error(`createRecord ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { commit: { rev: string } }).commit.rev
}

/** `onCommit` gets the rev when `decode` is set; the fan-out run only counts frames (all commits). */
function openSubscriber(port: number, onCommit: (rev?: string) => void, decode = true, ip = '192.0.2.1'): Promise<WebSocket> {
  // A distinct client address per subscriber (from loopback, X-Forwarded-For is trusted): the
  // server allows 20 subscriptions per IP.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/xrpc/com.atproto.sync.subscribeRepos`, {
    headers: { 'x-forwarded-for': ip },
  } as unknown as string[])
  ws.binaryType = 'arraybuffer'
  ws.onmessage = (e) => {
    if (!decode) return onCommit()
    const { header, body } = decodeFrame(new Uint8Array(e.data as ArrayBuffer))
    if (header.t === '#commit') onCommit(body.rev)
  }
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws)
    ws.onerror = reject
  })
}

async function deliveryLatency(h: AccountHarness, u: User): Promise<number[]> {
  const waiting = new Map<string, () => void>()
  const arrived = new Set<string>()
  const ws = await openSubscriber(h.server.port, (rev) => {
    arrived.add(rev!)
    waiting.get(rev!)?.()
  })
  const latencies: number[] = []
  for (let i = 0; i < 300; i++) {
    const t = now()
    const rev = await createPost(h, u, i)
    if (!arrived.has(rev)) await new Promise<void>((resolve) => waiting.set(rev, resolve))
    latencies.push(now() - t)
  }
  ws.close()
  return latencies.sort((a, b) => a - b)
}

async function fanOut(
  h: AccountHarness,
  users: User[],
): Promise<{ seconds: number; complete: number; closed: number }> {
  const counts = new Array<number>(200).fill(0)
  let closed = 0
  const sockets = await Promise.all(counts.map((_, i) => openSubscriber(h.server.port, () => void counts[i]!++, false, `10.0.${i >> 8}.${i & 255}`)))
  for (const ws of sockets) ws.addEventListener('close', () => void closed++)
  const start = now()
  await Promise.all(
    users.map(async (u) => {
      for (let i = 0; i < 1000 / users.length; i++) await createPost(h, u, i)
    }),
  )
  while (counts.some((c) => c < 1000) && now() - start < 60_000 && closed === 0) await Bun.sleep(5)
  const seconds = (now() - start) / 1000
  for (const ws of sockets) ws.close()
  return { seconds, complete: counts.filter((c) => c === 1000).length, closed }
}

const REPO_RECORDS = 100_000

/** A 100k-record repo, written through the service in batches of 200 (HTTP writes are bench/repo.ts's). */
async function buildLargeRepo(h: AccountHarness, u: User): Promise<number> {
  const start = now()
  for (let batch = 0; batch < REPO_RECORDS / 200; batch++) {
    const writes = Array.from({ length: 200 }, (_, i) => ({
      action: 'create' as const,
      collection: 'app.bsky.feed.post',
      value: {
        $type: 'app.bsky.feed.post',
        text: `bulk ${batch}/${i} ${'x'.repeat(100)}`,
        createdAt: new Date().toISOString(),
      },
    }))
    await h.server.services.repo.applyWrites(u.did, writes)
  }
  return (now() - start) / 1000
}

/** Median MB/s of three downloads (the first also warms SQLite's page cache) and peak RSS growth. */
async function measureDownload(download: () => Promise<number>) {
  Bun.gc(true)
  const rssBefore = process.memoryUsage.rss()
  let peak = rssBefore
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5)
  const runs: number[] = []
  let bytes = 0
  for (let run = 0; run < 3; run++) {
    const start = now()
    bytes = await download()
    runs.push((now() - start) / 1000)
  }
  clearInterval(sampler)
  const seconds = runs.sort((a, b) => a - b)[1]!
  return { mb: bytes / 2 ** 20, mbps: bytes / 2 ** 20 / seconds, rssGrowthMb: (peak - rssBefore) / 2 ** 20 }
}

async function getRepoThroughput(h: AccountHarness, u: User) {
  const buildSeconds = await buildLargeRepo(h, u)
  const http = await measureDownload(async () => {
    const res = await fetch(`${h.server.url}/xrpc/com.atproto.sync.getRepo?did=${u.did}`)
    let bytes = 0
    let chunks = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      // The client shares this process: keep its dead chunks from counting as server memory.
      if (++chunks % 64 === 0) Bun.gc(false)
    }
    return bytes
  })
  // For comparison: the MST walk that `since`-less exports used before (services.repo.exportCar).
  const walk = await measureDownload(async () => {
    let bytes = 0
    for await (const chunk of h.server.services.repo.exportCar(u.did)) bytes += chunk.length
    return bytes
  })
  return { ...http, buildSeconds, walkMbps: walk.mbps }
}

export async function syncRows(): Promise<BenchRow[]> {
  const h = await startAccountHarness()
  try {
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => h.signUp(`sync${i}`)))
    const latencies = await deliveryLatency(h, users[0]!)
    const fan = await fanOut(h, users)
    const repo = await getRepoThroughput(h, users[1]!)
    return [
      { area: 'sync', metric: 'write→event latency p50 (1 subscriber)', value: percentile(latencies, 50), unit: 'ms' },
      { area: 'sync', metric: 'write→event latency p99 (1 subscriber)', value: percentile(latencies, 99), unit: 'ms' },
      {
        area: 'sync',
        metric: '1,000 events to 200 subscribers',
        value: (200 * 1000) / fan.seconds,
        unit: 'deliveries/s',
        reference: `${fan.complete}/200 complete, ${fan.closed} dropped, ${fan.seconds.toFixed(2)} s`,
      },
      {
        area: 'sync',
        metric: `getRepo over HTTP (${repo.mb.toFixed(1)} MB, 100k records)`,
        value: repo.mbps,
        unit: 'MB/s',
        reference: `reference ~12 MB/s; MST walk ${repo.walkMbps.toFixed(1)} MB/s; repo built in ${repo.buildSeconds.toFixed(0)} s`,
      },
      {
        area: 'sync',
        metric: 'getRepo peak RSS growth (server + client, 100k records)',
        value: repo.rssGrowthMb,
        unit: 'MB',
        reference: 'streamed from repo_block',
      },
    ]
  } finally {
    await h.close()
  }
}

if (import.meta.main) console.table(await syncRows())
