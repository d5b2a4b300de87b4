// A crash between commit and sequencing: the write is durable in the actor store but never reached
// the firehose. On restart the server notices the repo is ahead and emits a #sync for it.
import { afterAll, expect, test } from 'bun:test'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import { NO_EVENTS } from '../../src/services/events.ts'
import { replayAll as replay } from '../helpers/firehose.ts'
import { readCar } from '../../src/core/car.ts'

let h: AccountHarness | undefined
let restarted: RunningServer | undefined
afterAll(async () => {
  await restarted?.stop()
  await h?.close()
})


test('a commit that was never sequenced gets a #sync event at the next start', async () => {
  h = await startAccountHarness()
  const { agent, did } = await h.signUp('crashy')
  await agent.post({ text: 'sequenced', createdAt: new Date().toISOString() })
  // Simulate the crash window: the commit lands, the firehose never hears of it.
  const events = h.server.services.events
  h.server.services.events = NO_EVENTS
  await agent.post({ text: 'lost in the crash', createdAt: new Date().toISOString() })
  h.server.services.events = events
  const root = h.server.services.repo.getRepoRoot(did)!
  const before = await replay(h.server.port)
  expect(before.filter((f) => f.body.repo === did || f.body.did === did).at(-1)!.body.rev).not.toBe(root.rev)
  await h.server.stop()

  restarted = await startServer(h.server.config, { hostname: '127.0.0.1' })
  const after = (await replay(restarted.port)).filter((f) => f.body.repo === did || f.body.did === did)
  const last = after.at(-1)!
  expect(last.header).toEqual({ op: 1, t: '#sync' })
  expect(last.body.rev).toBe(root.rev)
  const car = readCar(last.body.blocks)
  expect(car.roots[0]!.equals(root.cid)).toBe(true)
  expect(car.blocks.has(root.cid.toString())).toBe(true)

  // A second restart finds nothing to recover.
  await restarted.stop()
  restarted = await startServer(h.server.config, { hostname: '127.0.0.1' })
  const again = (await replay(restarted.port)).filter((f) => f.header.t === '#sync' && f.body.did === did)
  expect(again.filter((f) => f.body.rev === root.rev).length).toBe(1)
}, 30_000)
