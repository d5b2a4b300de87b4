// End to end with the official client: accounts created over XRPC, then posts, replies, likes,
// follows, images, a large blob, profile edits and batches; the repo is exported and verified
// with @atproto/repo after each scenario.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { loadSharp } from '../../src/native/sharp.ts'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { exportAndVerify } from './repo-harness.ts'

let h: AccountHarness
let alice: { agent: AtpAgent; did: string }
let bob: { agent: AtpAgent; did: string }

beforeAll(async () => {
  h = await startAccountHarness()
  alice = await h.signUp('alice')
  bob = await h.signUp('bob')
})
afterAll(() => h?.close())

const verify = (did: string) => exportAndVerify(h.server.services.repo, did)

describe('repo end to end', () => {
  test('post, reply, like (deduplicated), follow', async () => {
    const post = await alice.agent.post({ text: 'hello world', createdAt: new Date().toISOString() })
    const reply = await bob.agent.post({
      text: 'hi alice',
      reply: { root: post, parent: post },
      createdAt: new Date().toISOString(),
    })
    await bob.agent.like(post.uri, post.cid)
    await bob.agent.like(post.uri, post.cid) // the older like is deleted in the same commit
    await bob.agent.follow(alice.did)
    const likes = await bob.agent.com.atproto.repo.listRecords({ repo: bob.did, collection: 'app.bsky.feed.like' })
    expect(likes.data.records.length).toBe(1)
    const got = await alice.agent.com.atproto.repo.getRecord({ repo: 'bob.test', collection: 'app.bsky.feed.post', rkey: reply.uri.split('/').pop()! })
    expect((got.data.value as { reply: unknown }).reply).toBeDefined()
    expect((await verify(alice.did)).creates.length).toBe(1)
    expect((await verify(bob.did)).creates.length).toBe(3)
    const desc = await alice.agent.com.atproto.repo.describeRepo({ repo: bob.did })
    expect(desc.data).toMatchObject({ handle: 'bob.test', did: bob.did, collections: ['app.bsky.feed.like', 'app.bsky.feed.post', 'app.bsky.graph.follow'] })
  })

  test('image post, large blob, profile edit', async () => {
    const sharp = await loadSharp()
    const png = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } }).png().toBuffer())
    const up = await alice.agent.uploadBlob(png, { encoding: 'image/png' })
    expect(up.data.blob.mimeType).toBe('image/png')
    await alice.agent.post({
      text: 'a picture',
      embed: { $type: 'app.bsky.embed.images', images: [{ image: up.data.blob, alt: 'blue', aspectRatio: { width: 64, height: 48 } }] },
      createdAt: new Date().toISOString(),
    })
    const big = new Uint8Array(20 * 1024 * 1024)
    big.set([0, 0, 0, 0x20, ...new TextEncoder().encode('ftypisom')])
    const video = await alice.agent.uploadBlob(big, { encoding: 'video/mp4' })
    expect(video.data.blob.size).toBe(big.length)
    await alice.agent.upsertProfile((existing) => ({ ...existing, displayName: 'Alice', description: 'first' }))
    await alice.agent.upsertProfile((existing) => ({ ...existing, displayName: 'Alice A.', avatar: up.data.blob }))
    const profile = await alice.agent.com.atproto.repo.getRecord({ repo: alice.did, collection: 'app.bsky.actor.profile', rkey: 'self' })
    expect(profile.data.value).toMatchObject({ displayName: 'Alice A.', description: 'first' })
    const verified = await verify(alice.did)
    expect(verified.creates.length).toBe(3)
  })

  test('batch applyWrites and errors through the client', async () => {
    const writes = Array.from({ length: 50 }, (_, i) => ({
      $type: 'com.atproto.repo.applyWrites#create' as const,
      collection: 'app.bsky.feed.post',
      value: { $type: 'app.bsky.feed.post', text: `batch ${i}`, createdAt: new Date().toISOString() },
    }))
    const res = await bob.agent.com.atproto.repo.applyWrites({ repo: bob.did, writes })
    expect(res.data.results!.length).toBe(50)
    await expect(
      alice.agent.com.atproto.repo.createRecord({ repo: bob.did, collection: 'app.bsky.feed.post', record: { text: 'x', createdAt: new Date().toISOString() } }),
    ).rejects.toMatchObject({ status: 401 })
    await expect(
      bob.agent.com.atproto.repo.createRecord({ repo: bob.did, collection: 'app.bsky.feed.post', record: { text: 'x', createdAt: new Date().toISOString() }, swapCommit: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm' }),
    ).rejects.toMatchObject({ error: 'InvalidSwap' })
    expect((await verify(bob.did)).creates.length).toBe(53)
    const prefs = [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: false }]
    await bob.agent.app.bsky.actor.putPreferences({ preferences: prefs })
    expect((await bob.agent.app.bsky.actor.getPreferences()).data.preferences).toEqual(prefs)
  })
})
