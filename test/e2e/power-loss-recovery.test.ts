// A power loss in the middle of one write's syncs. A write is acknowledged once its commit is on stable
// storage in the actor store; its firehose event and account.sqlite's copy of the repo head are written
// before the response but synced alongside or after it (Sequencer.commit), so the disk can keep
// - an event whose commit it lost: the write was never acknowledged nor its event sent; the next start
//   (which, after an OS crash, checks every repo) drops that event, repairs account.sqlite's copy of
//   the head, and the repo goes on from the commit that survived;
// - an acknowledged commit whose event and head copy it lost: the next start finds the repo ahead of
//   the firehose, announces its commit with a #sync and repairs the head copy.
// Simulated with the real server: files put back as they were one commit earlier, and the run marker
// of a run that did not stop on this boot.
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

const post = (agent: AtpAgent, did: string, text: string) =>
  agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text, createdAt: new Date().toISOString() } })

/** The repo's #commit/#sync events as stored, oldest first. */
const repoEvents = (did: string) =>
  (server!.services.events as Sequencer).store
    .range(0, 1000)
    .filter((r) => r.did === did && (r.eventType === 'append' || r.eventType === 'sync'))
    .map((r) => ({ seq: r.seq, type: r.eventType, ...decodeCbor<{ rev: string; since?: string | null }>(r.event) }))

/** `files` as the disk holds them now (a clean stop leaves no WAL): what a power loss puts back. */
function keepAsOnDisk(files: string[]): void {
  for (const file of files) {
    expect(existsSync(`${file}-wal`)).toBe(false)
    copyFileSync(file, `${file}.before`)
  }
}

/** Power loss: `files` lose what was written after keepAsOnDisk, and the run did not stop cleanly, on another boot. */
function losePower(files: string[], dir: string): void {
  for (const file of files) {
    copyFileSync(`${file}.before`, file)
    rmSync(`${file}.before`)
  }
  requireFullCheckAtNextStart(dir)
}

/** Starts the server again and signs in. */
async function restartAndLogin(config: ReturnType<typeof buildConfig>, identifier: string, password: string): Promise<AtpAgent> {
  server = await startServer(config, { hostname: '127.0.0.1' })
  const agent = new AtpAgent({ service: server.url })
  await agent.login({ identifier, password })
  return agent
}

test('an event whose commit a power loss took back is dropped at start-up; the repo goes on from the surviving commit', async () => {
  const config = buildConfig(testEnv(dataDir, await freePort()))

  server = await startServer(config, { hostname: '127.0.0.1' })
  let agent = new AtpAgent({ service: server.url })
  const { data: account } = await agent.createAccount({ email: 'power@example.com', handle: 'power.test', password: 'power-password' })
  const kept = await post(agent, account.did, 'survives')
  const survivingRev = server.services.repo.getRepoRoot(account.did)!.rev
  const store = server.services.repo.actors.location(account.did).dbLocation
  await server.stop()
  // The actor store as the disk holds it after the first write.
  keepAsOnDisk([store])

  agent = await restartAndLogin(config, 'power.test', 'power-password')
  const lost = await post(agent, account.did, 'lost with the power')
  const lostRev = server.services.repo.getRepoRoot(account.did)!.rev
  expect(repoEvents(account.did).at(-1)!.rev).toBe(lostRev)
  await server.stop()
  server = undefined

  // Power loss: the actor store's last commit never reached the disk, its event and account.sqlite's
  // copy of the head did; the run did not stop cleanly, on another boot.
  losePower([store], dataDir)

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

test('an acknowledged commit whose event and head copy a power loss took back is announced with a #sync at start-up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-power-loss-event-'))
  const config = buildConfig(testEnv(dir, await freePort()))
  const rebuilt = ['account.sqlite', 'sequencer.sqlite'].map((name) => join(dir, name))
  try {
    server = await startServer(config, { hostname: '127.0.0.1' })
    let agent = new AtpAgent({ service: server.url })
    const { data: account } = await agent.createAccount({ email: 'acked@example.com', handle: 'acked.test', password: 'acked-password' })
    await post(agent, account.did, 'before')
    const earlierRev = server.services.repo.getRepoRoot(account.did)!.rev
    await server.stop()
    // account.sqlite and sequencer.sqlite as the disk holds them before the next write.
    keepAsOnDisk(rebuilt)

    agent = await restartAndLogin(config, 'acked.test', 'acked-password')
    const acked = await post(agent, account.did, 'acknowledged')
    const ackedRoot = server.services.repo.getRepoRoot(account.did)!
    expect(ackedRoot.rev).toBe(acked.data.commit!.rev)
    await server.stop()
    server = undefined

    // Power loss: the acknowledged commit is on disk in the actor store; its event and account.sqlite's
    // copy of the head are not; the run did not stop cleanly, on another boot.
    losePower(rebuilt, dir)

    server = await startServer(config, { hostname: '127.0.0.1' })
    const { repo, accounts } = server.services
    expect(repo.getRepoRoot(account.did)!.rev).toBe(ackedRoot.rev)
    expect(accounts.getRepoRoot(account.did)!.rev).toBe(ackedRoot.rev)
    expect(accounts.getRepoRoot(account.did)!.cid.toString()).toBe(ackedRoot.cid.toString())
    const events = repoEvents(account.did)
    expect(events.map((e) => e.rev)).toContain(earlierRev)
    expect(events.at(-1)).toMatchObject({ type: 'sync', rev: ackedRoot.rev })
    expect(repo.getRecord(account.did, 'app.bsky.feed.post', acked.data.uri.split('/').pop()!)).not.toBeNull()

    // The next write chains from the acknowledged commit.
    agent = new AtpAgent({ service: server.url })
    await agent.login({ identifier: 'acked.test', password: 'acked-password' })
    await post(agent, account.did, 'after the restart')
    expect(repoEvents(account.did).at(-1)).toMatchObject({ type: 'append', since: ackedRoot.rev })
  } finally {
    await server?.stop()
    server = undefined
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
