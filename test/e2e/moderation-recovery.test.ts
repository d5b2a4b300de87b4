// A takedown is recorded (event + status, one transaction) before it is applied; a crash in between
// leaves a pending mark that the next start applies. Simulated in process: the record step alone, then
// the start-up recovery.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { record } from '../../src/services/moderation/emit.ts'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
beforeAll(async () => {
  h = await startModHarness()
})
afterAll(async () => {
  await h.close()
})

test('a recorded but unapplied takedown is applied by the recovery, once', async () => {
  const carol = await h.signUp('carol')
  const moderation = h.server.services.moderation
  const subject = { did: carol.did, uri: null, cid: null, blobCids: [], recordPath: '' }
  record(moderation.ctx, subject, { $type: 'tools.ozone.moderation.defs#modEventTakedown' }, h.teamDid)
  const account = () => h.server.services.accounts.getAccount(carol.did, { includeTakenDown: true, includeDeactivated: true })
  expect(account()?.takedownRef).toBeNull()
  expect(await moderation.recoverPendingActs()).toBe(1)
  expect(account()?.takedownRef).toMatch(/^TAKEDOWN-\d+$/)
  const labels = await h.agent().com.atproto.label.queryLabels({ uriPatterns: [carol.did] })
  expect(labels.data.labels.map((l) => l.val)).toEqual(['!takedown'])
  expect(await moderation.recoverPendingActs()).toBe(0)
  // A completed event leaves nothing pending.
  await h.team.tools.ozone.moderation.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventReverseTakedown' }, subject: { $type: 'com.atproto.admin.defs#repoRef', did: carol.did }, createdBy: h.teamDid })
  expect(account()?.takedownRef).toBeNull()
  expect(await moderation.recoverPendingActs()).toBe(0)
})
