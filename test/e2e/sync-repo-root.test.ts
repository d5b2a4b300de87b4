// listRepos and startup recovery read heads from account.sqlite's repo_root: no actor store is
// opened for repos that are in step, and inactive accounts are not re-announced.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { recoverUnsequencedCommits, recoverySource } from '../../src/services/sequencer/recovery.ts'
import type { Sequencer } from '../../src/services/sequencer/sequencer.ts'
import { NO_EVENTS } from '../../src/services/events.ts'
import { createLogger } from '../../src/logger.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h?.close())

const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() })

test('listRepos answers from repo_root without opening actor stores, and follows commits', async () => {
  const users = await Promise.all(['rootone', 'roottwo', 'rootthree'].map((n) => h.signUp(n)))
  const { repo } = h.server.services
  await repo.applyWrites(users[0]!.did, [{ action: 'create', collection: 'app.bsky.feed.post', value: post('hi') }])
  repo.actors.close()
  const res = await fetch(`${h.server.url}/xrpc/com.atproto.sync.listRepos?limit=100`)
  const { repos } = (await res.json()) as { repos: Array<{ did: string; head: string; rev: string }> }
  expect(repo.actors.openCount()).toBe(0)
  for (const u of users) {
    const root = repo.getRepoRoot(u.did)!
    expect(repos.find((r) => r.did === u.did)).toMatchObject({ head: root.cid.toString(), rev: root.rev })
  }
})

test('recovery opens only the stores of repos that are behind, and skips inactive accounts', async () => {
  const { services } = h.server
  const sequencer = services.events as Sequencer
  const ahead = await h.signUp('ahead')
  const inactive = await h.signUp('inactive')
  // Both commit without the firehose hearing of it; then one is deactivated.
  services.events = NO_EVENTS
  for (const u of [ahead, inactive])
    await services.repo.applyWrites(u.did, [{ action: 'create', collection: 'app.bsky.feed.post', value: post('lost') }])
  services.events = sequencer
  services.accounts.deactivateAccount(inactive.did, null)
  services.repo.actors.close()
  const synced = recoverUnsequencedCommits(sequencer, recoverySource(services), {
    windowMs: 24 * 3600_000,
    log: createLogger('silent'),
  })
  expect(synced).toEqual([ahead.did])
  // Only the store of the repo that was behind was opened (to read its commit block).
  expect(services.repo.actors.openCount()).toBe(1)
})

test('after a crash, heads come from the actor stores and a stale repo_root is repaired', async () => {
  const { services } = h.server
  const sequencer = services.events as Sequencer
  const crashed = await h.signUp('crashed')
  const before = services.accounts.getRepoRoot(crashed.did)!
  // A kill -9 between the actor-store commit and the repo_root update: the commit is durable, its
  // copy in account.sqlite and the firehose event are not.
  services.events = NO_EVENTS
  await services.repo.applyWrites(crashed.did, [{ action: 'create', collection: 'app.bsky.feed.post', value: post('durable') }])
  services.events = sequencer
  services.accounts.updateRepoRoot(crashed.did, before.cid, before.rev)
  const opts = { windowMs: 24 * 3600_000, log: createLogger('silent') }
  // Trusting account.sqlite (a clean previous stop) would miss it; verifying heads does not.
  expect(recoverUnsequencedCommits(sequencer, recoverySource(services), opts)).not.toContain(crashed.did)
  expect(recoverUnsequencedCommits(sequencer, recoverySource(services, { verifyHeads: true }), opts)).toContain(crashed.did)
  const actual = services.repo.getRepoRoot(crashed.did)!
  expect(services.accounts.getRepoRoot(crashed.did)?.rev).toBe(actual.rev)
  expect(actual.rev > before.rev).toBe(true)
})
