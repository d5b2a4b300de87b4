// Crash recovery at a few thousand accounts costs what the crash could have touched: after a kill -9
// of the real `pds serve` mid-writes, the next start checks only the repos marked dirty (it opens
// no other actor store) and is ready within a bound that does not depend on the number of accounts;
// no acknowledged write and no firehose event is lost, and no event announces a commit the repo lacks.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { freePort, testEnv, spawnServe } from '../helpers/server.ts'
import { BULK_PASSWORD, createBulkAccounts } from '../helpers/bulk-accounts.ts'
import { buildConfig } from '../../src/config/config.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import type { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { decodeCbor } from '../../src/core/cbor.ts'

const ACCOUNTS = 2000
const WRITERS = 4
const dataDir = mkdtempSync(join(tmpdir(), 'pds-crash-scale-'))
let server: RunningServer | undefined
afterAll(async () => {
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const serve = (port: number) => spawnServe(dataDir, port)

test(`kill -9 at ${ACCOUNTS} accounts: recovery checks only the dirty repos, loses nothing, invents nothing`, async () => {
  const port = await freePort()
  const env = testEnv(dataDir, port)
  writeFileSync(join(dataDir, 'pds.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
  const config = buildConfig(env)

  server = await startServer(config, { hostname: '127.0.0.1' })
  const accounts = await createBulkAccounts(server.services, ACCOUNTS)
  await server.stop()
  server = undefined

  // The real server, writes from several accounts at once, and kill -9 in the middle of them.
  const first = await serve(port)
  const writers = accounts.slice(0, WRITERS)
  const acked = new Map<string, string[]>(writers.map((a) => [a.did, []]))
  let stop = false
  const loops = writers.map(async (account) => {
    const agent = new AtpAgent({ service: first.url })
    await agent.login({ identifier: account.handle, password: BULK_PASSWORD })
    for (let i = 0; !stop; i++) {
      try {
        const res = await agent.com.atproto.repo.createRecord({
          repo: account.did,
          collection: 'app.bsky.feed.post',
          record: { text: `#${i}`, createdAt: new Date().toISOString() },
        })
        acked.get(account.did)!.push(res.data.uri)
      } catch {
        return // the server died under us
      }
    }
  })
  // Kill once every writer has had writes acknowledged (logins are scrypt-bound: slow on a busy machine).
  for (let waited = 0; ![...acked.values()].every((uris) => uris.length > 0) && waited < 60_000; waited += 50) await Bun.sleep(50)
  await Bun.sleep(300)
  first.proc.kill('SIGKILL')
  await first.proc.exited
  stop = true
  await Promise.all(loops)
  expect([...acked.values()].every((uris) => uris.length > 0)).toBe(true)

  const started = performance.now()
  server = await startServer(config, { hostname: '127.0.0.1' })
  expect((await fetch(`${server.url}/xrpc/_health`)).ok).toBe(true)
  const restartMs = performance.now() - started
  // Only the stores of the repos written at the crash were opened: the work does not grow with N.
  expect(server.services.repo.actors.openCount()).toBeLessThanOrEqual(WRITERS)
  // A loose sanity bound (the structural one is openCount above); bun run bench:scale has the figures.
  expect(restartMs).toBeLessThan(5000)

  const { repo } = server.services
  const sequencer = server.services.events as Sequencer
  const events = new Map<string, Array<{ type: string; rev: string; paths: string[] }>>()
  for (let after = 0; ; ) {
    const rows = sequencer.store.range(after, 1000)
    if (rows.length === 0) break
    after = rows.at(-1)!.seq
    for (const row of rows) {
      if (!acked.has(row.did) || (row.eventType !== 'append' && row.eventType !== 'sync')) continue
      const body = decodeCbor<{ rev: string; ops?: Array<{ path: string; action: string }> }>(row.event)
      const list = events.get(row.did) ?? []
      list.push({ type: row.eventType, rev: body.rev, paths: (body.ops ?? []).filter((o) => o.action === 'create').map((o) => o.path) })
      events.set(row.did, list)
    }
  }
  for (const [did, uris] of acked) {
    const root = repo.getRepoRoot(did)!
    // 0 lost: every acknowledged record is in the repo, and the firehose reaches the repo's head.
    for (const uri of uris) expect(repo.getRecord(did, 'app.bsky.feed.post', uri.split('/').pop()!)).not.toBeNull()
    const announced = events.get(did)!
    expect(announced.at(-1)!.rev).toBe(root.rev)
    // 0 phantom: no event is newer than the repo, and every announced record exists.
    for (const evt of announced) {
      expect(evt.rev <= root.rev).toBe(true)
      for (const path of evt.paths) expect(repo.getRecord(did, 'app.bsky.feed.post', path.split('/')[1]!)).not.toBeNull()
    }
    // account.sqlite's copy of the head was repaired too.
    expect(server.services.accounts.getRepoRoot(did)!.rev).toBe(root.rev)
  }
}, 240_000)
