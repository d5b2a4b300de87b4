// `bun bench/fanout-floor.ts`: where the firehose fan-out row's server RSS comes from. The same 300
// createRecords as bench/memory.ts, on a fresh server each, with 0, 1 and 100 subscribers: if the
// peaks agree, the row measures the write path and the process's floor, not the fan-out. Prints, per
// run, RSS split into anonymous memory and file-backed pages (the binary's code and data) at: idle,
// warmed (one account and 20 writes, then 2 s quiet), subscribers connected, the peak during the
// writes (sampled every 5 ms), settled 2 s later; and the server's CPU for the writes.
import { readFileSync } from 'node:fs'
import { openSubscribers, rssParts, spawnServer, xrpc, type Account } from './lib.ts'

type Rss = ReturnType<typeof rssParts>

/** utime + stime of `pid`, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() })

async function run(subscribers: number, writes = 300) {
  const server = await spawnServer()
  const { url, pid } = server
  try {
    const idle = rssParts(pid)
    const writer = await xrpc<Account>(url, 'com.atproto.server.createAccount', { handle: 'floor.test', email: 'floor@example.com', password: 'bench-password' })
    const write = (text: string) => xrpc(url, 'com.atproto.repo.createRecord', { repo: writer.did, collection: 'app.bsky.feed.post', record: post(text) }, writer.accessJwt)
    for (let i = 0; i < 20; i++) await write(`warm ${i}`)
    await Bun.sleep(2000)
    const warmed = rssParts(pid)
    const { sockets, counts } = await openSubscribers(url, subscribers)
    await Bun.sleep(1000)
    const connected = rssParts(pid)
    let peak = connected
    const sampler = setInterval(() => {
      const now = rssParts(pid)
      if (now.rss > peak.rss) peak = now
    }, 5)
    const cpuBefore = cpuMs(pid)
    const start = performance.now()
    for (let i = 0; i < writes; i++) await write(`fan ${i}`)
    while (counts.some((c) => c < writes) && performance.now() - start < 60_000) await Bun.sleep(5)
    clearInterval(sampler)
    const cpu = cpuMs(pid) - cpuBefore
    await Bun.sleep(2000)
    const settled = rssParts(pid)
    for (const ws of sockets) ws.close()
    const complete = counts.filter((c) => c >= writes).length
    return { subscribers, idle, warmed, connected, peak, settled, cpu, complete }
  } finally {
    await server.stop()
  }
}

const fmt = (r: Rss) => `${r.rss.toFixed(1)} (${r.anon.toFixed(1)} + ${r.file.toFixed(1)})`
console.log('server RSS in MB as total (anonymous + file-backed)')
for (const subscribers of [0, 1, 100]) {
  const r = await run(subscribers)
  console.log(
    `${String(subscribers).padStart(3)} subscribers: idle ${fmt(r.idle)} | warmed ${fmt(r.warmed)} | connected ${fmt(r.connected)} | ` +
      `peak ${fmt(r.peak)} | settled ${fmt(r.settled)} | writes' server CPU ${r.cpu.toFixed(0)} ms | ${r.complete}/${subscribers} complete`,
  )
}
