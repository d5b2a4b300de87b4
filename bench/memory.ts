// Server memory under load, measured on `pds serve` in its own process (/proc/<pid>/status VmRSS,
// sampled every 5 ms): a 10k-record getRepo must stream, and firehose fan-out must stay small.
import { openSubscribers, rssMb, rssParts, spawnServer, xrpc, type Account, type BenchRow } from './lib.ts'

/** Peak RSS growth of `pid` while `work` runs. */
async function peakGrowth(pid: number, work: () => Promise<void>): Promise<number> {
  // From a server at rest: its GC pacer collects the garbage of the work before (the bulk writes)
  // once it has been quiet for a while (src/services/gc-pacer.ts). Bun.gc() here would only collect
  // the bench's own process.
  await Bun.sleep(1500)
  const before = rssMb(pid)
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 5)
  try {
    await work()
  } finally {
    clearInterval(sampler)
  }
  return Math.max(peak, rssMb(pid)) - before
}

const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() })

export async function memoryRows(): Promise<BenchRow[]> {
  const server = await spawnServer()
  const { url, pid } = server
  // Before any request, once start-up's garbage is collected (main.ts, at 500 ms): the anonymous
  // memory of the runtime and the server at rest.
  await Bun.sleep(1000)
  const idle = rssParts(pid)
  try {
    const [big, writer] = await Promise.all(
      ['membig', 'memwriter'].map((name) => xrpc<Account>(url, 'com.atproto.server.createAccount', { handle: `${name}.test`, email: `${name}@example.com`, password: 'bench-password' })),
    )
    // getRepo of 10,000 records (50 applyWrites of 200).
    for (let batch = 0; batch < 50; batch++) {
      const writes = Array.from({ length: 200 }, (_, i) => ({ $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', value: post(`bulk ${batch}/${i} ${'x'.repeat(100)}`) }))
      await xrpc(url, 'com.atproto.repo.applyWrites', { repo: big!.did, writes }, big!.accessJwt)
    }
    // Warm-up on the small repo: first-use code loading is not what this row measures.
    await (await fetch(`${url}/xrpc/com.atproto.sync.getRepo?did=${writer!.did}`)).arrayBuffer()
    let bytes = 0
    const getRepoGrowth = await peakGrowth(pid, async () => {
      const res = await fetch(`${url}/xrpc/com.atproto.sync.getRepo?did=${big!.did}`)
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length
    })

    // Fan-out: 100 subscribers, 300 writes; the server's peak RSS (absolute) while it delivers.
    const subscribers = 100
    const writes = 300
    const { sockets, counts } = await openSubscribers(url, subscribers)
    let fanPeak = rssParts(pid)
    const sampler = setInterval(() => {
      const now = rssParts(pid)
      if (now.rss > fanPeak.rss) fanPeak = now
    }, 5)
    const start = performance.now()
    for (let i = 0; i < writes; i++) await xrpc(url, 'com.atproto.repo.createRecord', { repo: writer!.did, collection: 'app.bsky.feed.post', record: post(`fan ${i}`) }, writer!.accessJwt)
    while (counts.some((c) => c < writes) && performance.now() - start < 60_000) await Bun.sleep(5)
    const fanSeconds = (performance.now() - start) / 1000
    clearInterval(sampler)
    for (const ws of sockets) ws.close()
    return [
      { area: 'memory', metric: `getRepo 10k records (${(bytes / 2 ** 20).toFixed(1)} MB): server RSS growth`, value: getRepoGrowth, unit: 'MB', reference: 'ref 0.1 MB', target: { atMost: 2 } },
      {
        area: 'memory',
        metric: `firehose fan-out, ${subscribers} subscribers x ${writes} writes: server peak RSS`,
        value: fanPeak.rss,
        unit: 'MB',
        // What no work can go below here: the executable's pages the run has touched (Bun's code,
        // clean and shared with the page cache) plus the anonymous memory the server had at idle.
        reference:
          `ref 217 MB; ${fanSeconds.toFixed(2)} s (ref 3.8 s), ${counts.filter((c) => c >= writes).length}/${subscribers} complete; ` +
          `floor ${(fanPeak.file + idle.anon).toFixed(0)} MB = binary's pages ${fanPeak.file.toFixed(0)} + idle anonymous ${idle.anon.toFixed(0)}`,
        target: { atMost: 72 },
      },
    ]
  } finally {
    await server.stop()
  }
}

if (import.meta.main) console.table(await memoryRows())
