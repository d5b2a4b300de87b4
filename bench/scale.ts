// `bun run bench:scale [N]`: what the server costs as the number of accounts grows. N accounts (each
// with one post) are created, then the real `pds serve` is restarted after a clean stop and after a
// kill -9 mid-writes, a backup is created and verified, and the whole firehose is replayed. Each
// figure is printed in total and per account, so growth shows when N changes (default 2,000).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, testEnv } from '../test/helpers/server.ts'
import { BULK_PASSWORD, createBulkAccounts } from '../test/helpers/bulk-accounts.ts'
import { subscribeRepos } from '../test/helpers/firehose.ts'
import { buildConfig } from '../src/config/config.ts'
import { startServer } from '../src/main.ts'
import { createBackup } from '../src/services/backup/snapshot.ts'
import { verifyBackup } from '../src/services/backup/verify.ts'
import { layoutFromConfig } from '../src/services/backup/layout.ts'

const N = Number(process.argv[2] ?? process.env.SCALE_ACCOUNTS ?? 2000)
const root = resolve(import.meta.dir, '..')
const dataDir = mkdtempSync(join(tmpdir(), 'pds-bench-scale-'))
const backupRoot = mkdtempSync(join(tmpdir(), 'pds-bench-scale-backups-'))
const port = await freePort()
const env = testEnv(dataDir, port, { LOG_LEVEL: 'error' })
writeFileSync(join(dataDir, 'pds.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
const config = buildConfig(env)
const url = `http://127.0.0.1:${port}`
const rows: Array<[string, number]> = []

/** `pds serve` as its own process (the compiled binary when built); resolves when healthy. */
async function serve() {
  const binary = join(root, 'dist/pds')
  const cmd = existsSync(binary) ? [binary, 'serve'] : [process.execPath, join(root, 'cli/main.ts'), 'serve']
  const started = performance.now()
  const proc = Bun.spawn([...cmd, '--data-dir', dataDir, '--port', String(port)], { env: { PATH: process.env.PATH ?? '' }, stdout: 'ignore', stderr: 'inherit' })
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    if (await fetch(`${url}/xrpc/_health`).then((r) => r.ok, () => false)) break
    await Bun.sleep(5)
  }
  return { proc, healthyMs: performance.now() - started }
}

try {
  let t = performance.now()
  const setup = await startServer(config, { hostname: '127.0.0.1' })
  const accounts = await createBulkAccounts(setup.services, N, { postsEach: 1, onProgress: (done) => done % 500 === 0 && console.error(`created ${done}/${N}`) })
  rows.push(['create account (direct, shared password hash) + 1 post', performance.now() - t])
  await setup.stop()

  const clean = await serve()
  rows.push(['restart after a clean stop, to healthy', clean.healthyMs])
  // Full replay from storage (the restarted server's frame cache is empty).
  t = performance.now()
  const sub = await subscribeRepos(port, { cursor: 0 })
  const expected = N * 5 // #identity, #account, #commit, #sync, and the post's #commit
  while (sub.frames.length < expected) await Bun.sleep(5)
  rows.push([`full firehose replay from storage (${expected} events)`, performance.now() - t])
  sub.ws.close()
  clean.proc.kill('SIGTERM')
  await clean.proc.exited

  // kill -9 while one account's writes stream in.
  const crashed = await serve()
  const session = await fetch(`${url}/xrpc/com.atproto.server.createSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: accounts[0]!.handle, password: BULK_PASSWORD }),
  }).then((r) => r.json() as Promise<{ accessJwt: string }>)
  let writing = true
  const writes = (async () => {
    for (let i = 0; writing; i++) {
      const ok = await fetch(`${url}/xrpc/com.atproto.repo.createRecord`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.accessJwt}` },
        body: JSON.stringify({ repo: accounts[0]!.did, collection: 'app.bsky.feed.post', record: { text: `#${i}`, createdAt: new Date().toISOString() } }),
      }).then((r) => r.ok, () => false)
      if (!ok) return
    }
  })()
  await Bun.sleep(500)
  crashed.proc.kill('SIGKILL')
  await crashed.proc.exited
  writing = false
  await writes
  const recovered = await serve()
  rows.push(['restart after kill -9 mid-writes, to healthy', recovered.healthyMs])

  t = performance.now()
  const backup = await createBackup({ layout: layoutFromConfig(config), backupRoot, pdsVersion: 'bench' })
  rows.push(['backup create (server running)', performance.now() - t])
  recovered.proc.kill('SIGTERM')
  await recovered.proc.exited
  t = performance.now()
  const report = await verifyBackup(backup.path)
  if (!report.ok) throw new Error(`backup does not verify: ${JSON.stringify(report.problems.slice(0, 3))}`)
  rows.push(['backup verify', performance.now() - t])
} finally {
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(backupRoot, { recursive: true, force: true })
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2))
const table = rows.map(([metric, ms]) => [metric, fmt(ms), fmt(ms / N)])
const header = [`scale (${N} accounts)`, 'total ms', 'ms per account']
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)))
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
for (const row of table) console.log(line(row))
