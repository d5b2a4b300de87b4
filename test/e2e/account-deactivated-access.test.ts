// What a deactivated account may still do (as the reference: migration needs preferences and blobs)
// and what it may not (repo writes).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

describe('a deactivated account', () => {
  test('keeps preferences and blob uploads, loses repo writes', async () => {
    const { agent } = await h.signUp('sleeper')
    await agent.com.atproto.server.deactivateAccount({})
    const prefs = [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: false }]
    await agent.app.bsky.actor.putPreferences({ preferences: prefs })
    expect((await agent.app.bsky.actor.getPreferences()).data.preferences).toEqual(prefs)
    const blob = await agent.com.atproto.repo.uploadBlob(new Uint8Array([1, 2, 3]), { encoding: 'application/octet-stream' })
    expect(blob.data.blob.size).toBe(3)
    await expect(agent.post({ text: 'should not land' })).rejects.toThrow(/deactivated/i)
  })
})
