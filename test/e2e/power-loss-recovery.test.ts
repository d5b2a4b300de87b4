// A power loss between the syncs of one write: the actor store and sequencer.sqlite are synced in one
// round, at the same time (Sequencer.commit), so the disk can keep a firehose event whose commit it
// lost. The write was never acknowledged nor its event sent; the next start (which, after an OS crash,
// checks every repo) drops that event, repairs account.sqlite's copy of the head, and the repo goes on
// from the commit that survived. Simulated with the real server: the actor store put back as it was one
// commit earlier, and the run marker of a run that did not stop on this boot.
import { afterAll, expect, test } from 'bun:test'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { freePort, testEnv } from '../helpers/server.ts'
import { buildConfig } from '../../src/config/config.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import type { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { requireFullCheckAtNextStart } from '../../src/storage/run-marker.ts'
import { decodeCbor } from '../../src/core/cbor.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'pds-power-loss-'))
let server: RunningServer | undefined
afterAll(async () => {
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

test('an event whose commit a power loss took back is dropped at start-up; the repo goes on from the surviving commit', async () => {
  const config = buildConfig(testEnv(dataDir, await freePort()))
  const post = (agent: AtpAgent, did: string, text: string) =>
    agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text, createdAt: new Date().toISOString() } })
  const repoEvents = (did: string) =>
    (server!.services.events as Sequencer).store
      .range(0, 1000)
      .filter((r) => r.did === did && (r.eventType === 'append' || r.eventType === 'sync'))
      .map((r) => ({ seq: r.seq, ...decodeCbor<{ rev: string; since?: string | null }>(r.event) }))

  server = await startServer(config, { hostname: '127.0.0.1' })
  let agent = new AtpAgent({ service: server.url })
  const { data: account } = await agent.createAccount({ email: 'power@example.com', handle: 'power.test', password: 'power-password' })
  const kept = await post(agent, account.did, 'survives')
  const survivingRev = server.services.repo.getRepoRoot(account.did)!.rev
  const store = server.services.repo.actors.location(account.did).dbLocation
  await server.stop()
  // The actor store as the disk holds it after the first write (a clean stop leaves no WAL).
  expect(existsSync(`${store}-wal`)).toBe(false)
  copyFileSync(store, `${store}.before`)

  server = await startServer(config, { hostname: '127.0.0.1' })
  agent = new AtpAgent({ service: server.url })
  await agent.login({ identifier: 'power.test', password: 'power-password' })
  const lost = await post(agent, account.did, 'lost with the power')
  const lostRev = server.services.repo.getRepoRoot(account.did)!.rev
  expect(repoEvents(account.did).at(-1)!.rev).toBe(lostRev)
  await server.stop()
  server = undefined

  // Power loss: the actor store's last commit never reached the disk, its event and account.sqlite's
  // copy of the head did; the run did not stop cleanly, on another boot.
  copyFileSync(`${store}.before`, store)
  rmSync(`${store}.before`)
  requireFullCheckAtNextStart(dataDir)

  server = await startServer(config, { hostname: '127.0.0.1' })
  const { repo, accounts } = server.services
  expect(repo.getRepoRoot(account.did)!.rev).toBe(survivingRev)
  expect(accounts.getRepoRoot(account.did)!.rev).toBe(survivingRev)
  const events = repoEvents(account.did)
  expect(events.map((e) => e.rev)).not.toContain(lostRev)
  expect(events.at(-1)!.rev).toBe(survivingRev)
  expect(repo.getRecord(account.did, 'app.bsky.feed.post', kept.data.uri.split('/').pop()!)).not.toBeNull()
  expect(repo.getRecord(account.did, 'app.bsky.feed.post', lost.data.uri.split('/').pop()!)).toBeNull()

  // The next write chains from the surviving commit, and its event follows the dropped one's seq.
  agent = new AtpAgent({ service: server.url })
  await agent.login({ identifier: 'power.test', password: 'power-password' })
  await post(agent, account.did, 'after the restart')
  const next = repoEvents(account.did).at(-1)!
  expect(next.since).toBe(survivingRev)
  expect(next.seq).toBeGreaterThan(events.at(-1)!.seq + 1)
}, 60_000)
