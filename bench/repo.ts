// Repo write path and reads over HTTP against the real server: createRecord sequential p50/p99 and
// writes/s, 20 accounts writing concurrently, getRecord at concurrency 32, uploadBlob 10 MB MB/s.
import { percentile, type BenchRow } from './lib.ts'
import { startAccountHarness } from '../test/e2e/account-harness.ts'

const now = () => performance.now()

export async function repoRows(): Promise<BenchRow[]> {
  const h = await startAccountHarness()
  try {
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => h.signUp(`bench${i}`)))
    const auth = (u: (typeof users)[number]) => ({ authorization: `Bearer ${u.agent.session!.accessJwt}` })
    const create = async (u: (typeof users)[number], i: number) => {
      const res = await fetch(`${h.server.url}/xrpc/com.atproto.repo.createRecord`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(u) },
        body: JSON.stringify({ repo: u.did, collection: 'app.bsky.feed.post', record: { text: `post ${i}`, createdAt: new Date().toISOString() } }),
      })
      if (!res.ok) throw new Error(`createRecord ${res.status}: ${await res.text()}`)
      return (await res.json()) as { uri: string }
    }

    const latencies: number[] = []
    const seqStart = now()
    let last = { uri: '' }
    for (let i = 0; i < 1000; i++) {
      const t = now()
      last = await create(users[0]!, i)
      latencies.push(now() - t)
    }
    const seqRate = 1000 / ((now() - seqStart) / 1000)
    latencies.sort((a, b) => a - b)

    const parStart = now()
    await Promise.all(users.map(async (u) => { for (let i = 0; i < 100; i++) await create(u, i) }))
    const parRate = 2000 / ((now() - parStart) / 1000)

    const rkey = last.uri.split('/').pop()!
    const url = `${h.server.url}/xrpc/com.atproto.repo.getRecord?repo=${users[0]!.did}&collection=app.bsky.feed.post&rkey=${rkey}`
    const readStart = now()
    await Promise.all(Array.from({ length: 32 }, async () => { for (let i = 0; i < 100; i++) await (await fetch(url)).arrayBuffer() }))
    const readRate = 3200 / ((now() - readStart) / 1000)

    const blob = new Uint8Array(10 * 1024 * 1024).map((_, i) => i % 251)
    Bun.gc(true)
    const rssBefore = process.memoryUsage.rss()
    let peak = rssBefore
    const blobStart = now()
    for (let i = 0; i < 5; i++) {
      blob[0] = i
      const res = await fetch(`${h.server.url}/xrpc/com.atproto.repo.uploadBlob`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...auth(users[1]!) }, body: blob })
      await res.arrayBuffer()
      peak = Math.max(peak, process.memoryUsage.rss())
    }
    const mbps = 50 / ((now() - blobStart) / 1000)

    return [
      { area: 'repo', metric: 'createRecord sequential p50', value: percentile(latencies, 50), unit: 'ms' },
      { area: 'repo', metric: 'createRecord sequential p99', value: percentile(latencies, 99), unit: 'ms' },
      { area: 'repo', metric: 'createRecord sequential', value: seqRate, unit: 'writes/s', reference: `${(seqRate / 120).toFixed(1)}x ref (~120/s)` },
      { area: 'repo', metric: 'createRecord, 20 accounts concurrently', value: parRate, unit: 'writes/s' },
      { area: 'repo', metric: 'getRecord, concurrency 32', value: readRate, unit: 'req/s' },
      { area: 'repo', metric: 'uploadBlob 10 MB', value: mbps, unit: 'MB/s' },
      { area: 'repo', metric: 'uploadBlob RSS growth (5 x 10 MB, client+server)', value: (peak - rssBefore) / 2 ** 20, unit: 'MB' },
    ]
  } finally {
    await h.close()
  }
}

if (import.meta.main) console.table(await repoRows())
