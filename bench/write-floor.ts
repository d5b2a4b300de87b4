// `bun bench/write-floor.ts`: what a sequential durable createRecord cannot go below on this machine,
// beside what it takes. Prints, sequentially with the bench's own client (bench/http-client.ts, one
// request at a time): the loopback round trip of a createRecord-sized POST to a bare Bun.serve, and of our cheapest
// XRPC method; fdatasync of a commit's WAL frames (25 frames of 4 KB, written as SQLite writes them)
// rewritten in place and appended, blocking and on the thread pool as the server calls it; and
// createRecord durable (the default) and with PDS_SQLITE_SYNCHRONOUS=normal (no sync). The difference
// between the last two is what durability costs; the round trip plus a sync is the floor before any
// work of the server's. Then where createRecord's time went, from the server's own /metrics (on for
// both runs): its SQLite transaction and one fdatasync of its WAL are what the reference's storage
// layout makes every durable commit pay; with the bare round trip they are the floor of a write on that
// layout here.
import { closeSync, fdatasync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../test/helpers/server.ts'
import { HttpConnection } from './http-client.ts'
import { createPost, percentile, spawnServer, xrpc, type Account } from './lib.ts'

const ROUNDS = 3000

type Figures = { p50: number; mean: number }

/** p50 and mean of `op` over `count` sequential runs after a warm-up, in µs. */
async function timeSequential(op: (i: number) => unknown, count = ROUNDS, warmUp = 500): Promise<Figures> {
  for (let i = 0; i < warmUp; i++) await op(i)
  const latencies: number[] = []
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await op(i)
    latencies.push((performance.now() - t) * 1000)
  }
  const mean = ((performance.now() - start) * 1000) / count
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 50), mean }
}

// Answers as createRecord does (a JSON body read, a JSON answer of the same size), doing nothing else.
const BARE_SERVER = `Bun.serve({ hostname: '127.0.0.1', port: Number(process.env.PORT), fetch: async (req) => (await req.arrayBuffer(), Response.json({ uri: 'at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3mabcdefghi22', cid: 'bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf4tcxnqsmw6mkzgy', commit: { cid: 'bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf4tcxnqsmw6mkzgy', rev: '3mabcdefghi22' }, validationStatus: 'valid' })) })`

/** Who the bare server's createRecord-sized requests come from: a token as long as a real one. */
const NOBODY: Account = { did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', accessJwt: 'x'.repeat(280) }

async function bareRoundTrip(): Promise<Figures> {
  const port = await freePort()
  const proc = Bun.spawn([process.execPath, '-e', BARE_SERVER], { env: { ...process.env, PORT: String(port) }, stdout: 'ignore', stderr: 'inherit' })
  try {
    const url = `http://127.0.0.1:${port}/`
    for (let i = 0; ; i++) {
      if (await fetch(url).then((r) => r.ok, () => false)) break
      if (i > 200) throw new Error('bare server did not start')
      await Bun.sleep(10)
    }
    const connection = await HttpConnection.open(url)
    try {
      return await timeSequential((i) => createPost(connection, NOBODY, `post ${i}`))
    } finally {
      connection.close()
    }
  } finally {
    proc.kill()
    await proc.exited
  }
}

/** fdatasync (alone, not the writes) of one commit's WAL frames: in place (a WAL restarted after a checkpoint) or past the end. */
async function syncFigures(where: 'rewritten' | 'appended', how: 'blocking' | 'thread pool'): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'pds-write-floor-'))
  const fd = openSync(join(dir, 'wal'), 'w+')
  const header = Buffer.alloc(24, 1)
  const page = Buffer.alloc(4096, 2)
  const frameBytes = header.length + page.length
  const framesPerCommit = 25
  const rewrittenSpan = 64 << 20 // larger than a busy WAL (41 MB at its autocheckpoint size)
  try {
    if (where === 'rewritten') {
      const chunk = Buffer.alloc(1 << 20, 3)
      for (let written = 0; written < rewrittenSpan; written += chunk.length) writeSync(fd, chunk)
      fdatasyncSync(fd)
    }
    let offset = 0
    const syncs: number[] = []
    for (let i = 0; i < 1100; i++) {
      if (where === 'rewritten' && offset + framesPerCommit * frameBytes > rewrittenSpan) offset = 0
      for (let f = 0; f < framesPerCommit; f++, offset += frameBytes) {
        writeSync(fd, header, 0, header.length, offset)
        writeSync(fd, page, 0, page.length, offset + header.length)
      }
      const t = performance.now()
      if (how === 'blocking') fdatasyncSync(fd)
      else await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())))
      if (i >= 100) syncs.push((performance.now() - t) * 1000)
    }
    const mean = syncs.reduce((a, b) => a + b, 0) / syncs.length
    syncs.sort((a, b) => a - b)
    return { p50: percentile(syncs, 50), mean }
  } finally {
    closeSync(fd)
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Means (µs) of the measured createRecords, from the differences of /metrics' sums and counts. */
type ServerSide = { request: number; transaction: number; syncWait: number; sync: number }

const SERIES = {
  request: 'pds_xrpc_request_duration_seconds{nsid="com.atproto.repo.createRecord"}',
  transaction: 'pds_repo_commit_transaction_seconds',
  syncWait: 'pds_repo_commit_sync_wait_seconds',
  sync: 'pds_storage_sync_duration_seconds{database="repo"}',
}

async function scrape(url: string): Promise<(series: string, part: 'sum' | 'count') => number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return (series, part) => {
    const brace = series.indexOf('{')
    const name = brace === -1 ? `${series}_${part} ` : `${series.slice(0, brace)}_${part}${series.slice(brace)} `
    const line = text.split('\n').find((l) => l.startsWith(name))
    return line ? Number(line.slice(name.length)) : 0
  }
}

async function ourServer(synchronous?: 'normal'): Promise<{ describe: Figures; create: Figures; server: ServerSide }> {
  const server = await spawnServer({ PDS_METRICS_ENABLED: 'true', ...(synchronous ? { PDS_SQLITE_SYNCHRONOUS: synchronous } : {}) })
  try {
    const url = server.url
    const user = await xrpc<Account>(url, 'com.atproto.server.createAccount', { handle: 'floor.test', email: 'floor@example.com', password: 'bench-password' })
    const connection = await HttpConnection.open(url)
    const describe = await timeSequential(() => connection.request('GET', '/xrpc/com.atproto.server.describeServer'))
    const write = (i: number) => createPost(connection, user, `post ${i}`)
    for (let i = 0; i < 1000; i++) await write(i)
    const before = await scrape(url)
    const create = await timeSequential(write, ROUNDS, 0)
    const after = await scrape(url)
    const mean = (series: string) => ((after(series, 'sum') - before(series, 'sum')) * 1e6) / (after(series, 'count') - before(series, 'count') || NaN)
    return { describe, create, server: { request: mean(SERIES.request), transaction: mean(SERIES.transaction), syncWait: mean(SERIES.syncWait), sync: mean(SERIES.sync) } }
  } finally {
    await server.stop()
  }
}

const rows: Array<[string, Figures]> = []
rows.push(["round trip, bare Bun.serve (createRecord's POST)", await bareRoundTrip()])
const durable = await ourServer()
const normal = await ourServer('normal')
rows.push(['round trip, describeServer', durable.describe])
for (const where of ['rewritten', 'appended'] as const) {
  for (const how of ['blocking', 'thread pool'] as const) rows.push([`fdatasync, 25 frames ${where}, ${how}`, await syncFigures(where, how)])
}
rows.push(['createRecord, durable (default)', durable.create])
rows.push(['createRecord, synchronous=normal', normal.create])

const width = Math.max(...rows.map(([name]) => name.length))
console.log(`${'sequential, one at a time'.padEnd(width)} |   p50 µs |  mean µs | per second`)
for (const [name, f] of rows) console.log(`${name.padEnd(width)} | ${f.p50.toFixed(0).padStart(8)} | ${f.mean.toFixed(0).padStart(8)} | ${(1e6 / f.mean).toFixed(0).padStart(10)}`)
const floor = rows[0]![1].mean + rows.find(([name]) => name.includes('rewritten, thread pool'))![1].mean
console.log(`floor of a durable write (bare round trip + one sync on the thread pool): ${floor.toFixed(0)} µs, at most ${(1e6 / floor).toFixed(0)} writes/s before any work`)
console.log(`durability costs ${(durable.create.mean - normal.create.mean).toFixed(0)} µs a write here (mean, durable minus normal)`)
const µs = (n: number) => n.toFixed(0)
for (const [name, run] of [['durable', durable], ['synchronous=normal', normal]] as const) {
  const s = run.server
  const sync = Number.isFinite(s.sync) ? ` (one fdatasync of its WAL: ${µs(s.sync)})` : ''
  console.log(
    `createRecord ${name}, mean µs: ${µs(run.create.mean)} = in the server ${µs(s.request)} (its SQLite transaction ${µs(s.transaction)}, ` +
      `from there until durable ${µs(s.syncWait)}${sync}, the rest ${µs(s.request - s.transaction - s.syncWait)}) + HTTP and the client ${µs(run.create.mean - s.request)}`,
  )
}
const layoutFloor = rows[0]![1].mean + durable.server.transaction + durable.server.sync
console.log(`floor of a durable write on the reference's storage layout (bare round trip + its transaction + one fdatasync): ${µs(layoutFloor)} µs, at most ${(1e6 / layoutFloor).toFixed(0)} writes/s`)
