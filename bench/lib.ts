// Shared pieces of `bun run bench`: rows, percentiles, and a real server process to measure.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, testEnv } from '../test/helpers/server.ts'
import type { HttpConnection } from './http-client.ts'

/** `target`: the aim for this machine (issue 16); the table prints it beside the value, met or not. */
export type BenchRow = { area: string; metric: string; value: number; unit: string; reference?: string; target?: Target }
export type Target = { atLeast: number } | { atMost: number }

export function formatTarget(value: number, target?: Target): string {
  if (!target) return ''
  const [sign, bound, met] = 'atLeast' in target ? ['>=', target.atLeast, value >= target.atLeast] : ['<=', target.atMost, value <= target.atMost]
  return `${sign} ${bound} ${Number.isFinite(value) ? (met ? 'met' : 'NOT met') : ''}`.trim()
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export function rssMb(pid: number): number {
  return rssParts(pid).rss
}

/**
 * `pid`'s resident memory in MB: in all, anonymous (heaps, caches) and file-backed (mostly the
 * executable's own code and data, paged in as it runs: clean pages the kernel can drop and re-read).
 */
export function rssParts(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const mb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) / 1024
  return { rss: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile') }
}

const root = resolve(import.meta.dir, '..')

/**
 * Starts `pds serve` as its own process and waits for health: `binary`, else PDS_BENCH_BINARY (another
 * build, for paired A/B runs), else the compiled dist/pds, else the sources.
 */
export async function spawnServer(env: Record<string, string> = {}, binary = process.env.PDS_BENCH_BINARY ?? join(root, 'dist/pds')) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pds-bench-'))
  const port = await freePort()
  const cmd = existsSync(binary) ? [binary, 'serve'] : [process.execPath, join(root, 'cli/main.ts'), 'serve']
  const started = performance.now()
  const proc = Bun.spawn(cmd, {
    env: { ...process.env, ...testEnv(dataDir, port, { LOG_LEVEL: 'error', ...env }) },
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (performance.now() - started > 20_000) throw new Error('server did not become healthy in 20 s')
    try {
      if ((await fetch(`${url}/xrpc/_health`)).ok) break
    } catch {}
    await Bun.sleep(5)
  }
  return {
    url,
    pid: proc.pid,
    dataDir,
    startupMs: performance.now() - started,
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export type Account = { did: string; accessJwt: string }

/** An XRPC procedure call (POST, JSON) on the bench server; throws with the answer on failure. */
export async function xrpc<T>(url: string, nsid: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${url}/xrpc/${nsid}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${nsid} ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

/** createRecord of a short post, as the write rows send it, on `connection`; throws with the answer unless 200. */
export async function createPost(connection: HttpConnection, user: Account, text: string): Promise<{ uri: string }> {
  const body = JSON.stringify({ repo: user.did, collection: 'app.bsky.feed.post', record: { text, createdAt: new Date().toISOString() } })
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${user.accessJwt}` }
  const res = await connection.request('POST', '/xrpc/com.atproto.repo.createRecord', { headers, body })
  if (res.status !== 200) throw new Error(`createRecord ${res.status}: ${res.text()}`)
  return res.json()
}

/** `n` live firehose subscribers (each from its own address, as relays are) counting the frames they get. */
export async function openSubscribers(url: string, n: number): Promise<{ sockets: WebSocket[]; counts: number[] }> {
  const counts = new Array<number>(n).fill(0)
  const sockets = await Promise.all(
    counts.map(
      (_, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${url.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos`, { headers: { 'x-forwarded-for': `10.1.${i >> 8}.${i & 255}` } } as unknown as string[])
          ws.onmessage = () => void counts[i]!++
          ws.onopen = () => resolve(ws)
          ws.onerror = reject
        }),
    ),
  )
  return { sockets, counts }
}
