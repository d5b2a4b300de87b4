// com.atproto.sync.* reads over HTTP on the real server: commits, records with proofs, blocks,
// blobs (security headers, ranges), repo listing/status, and the deactivated/taken-down rules.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { verifyRecords, verifyRepoCar } from '@atproto/repo'
import { DidResolver } from '@atproto/identity'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { readCar } from '../../src/core/car.ts'

let h: AccountHarness
let alice: Awaited<ReturnType<AccountHarness['signUp']>>
let bob: Awaited<ReturnType<AccountHarness['signUp']>>
let postUri: string
let blobCid: string
const blobBytes = new Uint8Array(4096).map((_, i) => i % 251)

beforeAll(async () => {
  h = await startAccountHarness()
  alice = await h.signUp('alice')
  bob = await h.signUp('bob')
  const uploaded = await alice.agent.uploadBlob(blobBytes, { encoding: 'image/png' })
  blobCid = uploaded.data.blob.ref.toString()
  const post = await alice.agent.post({
    text: 'with a picture',
    createdAt: new Date().toISOString(),
    embed: { $type: 'app.bsky.embed.images', images: [{ image: uploaded.data.blob, alt: '' }] },
  })
  postUri = post.uri
})
afterAll(() => h?.close())

async function get(nsid: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  const url = new URL(`/xrpc/${nsid}`, h.server.url)
  for (const [k, v] of Object.entries(params)) for (const item of [v].flat()) url.searchParams.append(k, item)
  return fetch(url, { headers })
}

const signingKey = (did: string) =>
  new DidResolver({ plcUrl: h.plc.url, fetch: globalThis.fetch }).resolveAtprotoKey(did)

describe('sync reads', () => {
  test('getLatestCommit and getHead agree with the repo', async () => {
    const latest = (await (await get('com.atproto.sync.getLatestCommit', { did: alice.did })).json()) as any
    const root = h.server.services.repo.getRepoRoot(alice.did)!
    expect(latest).toEqual({ cid: root.cid.toString(), rev: root.rev })
    expect(await (await get('com.atproto.sync.getHead', { did: alice.did })).json()).toEqual({
      root: root.cid.toString(),
    })
    const missing = await get('com.atproto.sync.getLatestCommit', { did: 'did:plc:nobodyhere0000000000000' })
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as any).error).toBe('RepoNotFound')
  })

  test('getRecord returns a proof CAR that verifies; an absent record proves absence', async () => {
    const rkey = postUri.split('/').pop()!
    const res = await get('com.atproto.sync.getRecord', { did: alice.did, collection: 'app.bsky.feed.post', rkey })
    expect(res.headers.get('content-type')).toBe('application/vnd.ipld.car')
    const car = new Uint8Array(await res.arrayBuffer())
    const records = await verifyRecords(car, alice.did, await signingKey(alice.did))
    expect(records.map((r) => `${r.collection}/${r.rkey}`)).toEqual([`app.bsky.feed.post/${rkey}`])
    const absent = await get('com.atproto.sync.getRecord', {
      did: alice.did,
      collection: 'app.bsky.feed.post',
      rkey: '3zzzzzzzzzzzz',
    })
    expect(absent.status).toBe(200)
    expect(
      await verifyRecords(new Uint8Array(await absent.arrayBuffer()), alice.did, await signingKey(alice.did)),
    ).toEqual([])
  })

  test('getBlocks returns the asked blocks, and names missing ones', async () => {
    const root = h.server.services.repo.getRepoRoot(alice.did)!
    const res = await get('com.atproto.sync.getBlocks', { did: alice.did, cids: [root.cid.toString()] })
    const car = readCar(new Uint8Array(await res.arrayBuffer()))
    expect([...car.blocks.keys()]).toEqual([root.cid.toString()])
    const missing = await get('com.atproto.sync.getBlocks', { did: alice.did, cids: [blobCid] })
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as any).message).toContain(blobCid)
  })

  test('getRepo and getCheckout verify', async () => {
    for (const nsid of ['com.atproto.sync.getRepo', 'com.atproto.sync.getCheckout']) {
      const car = new Uint8Array(await (await get(nsid, { did: alice.did })).arrayBuffer())
      const verified = await verifyRepoCar(car, alice.did, await signingKey(alice.did))
      expect(verified.creates.map((c) => c.collection)).toContain('app.bsky.feed.post')
    }
  })

  /** An account with 1,200 posts: a CAR of several 64 KB chunks. */
  async function bigRepo(name: string) {
    const user = await h.signUp(name)
    for (let batch = 0; batch < 6; batch++) {
      const writes = Array.from({ length: 200 }, (_, i) => ({
        $type: 'com.atproto.repo.applyWrites#create' as const,
        collection: 'app.bsky.feed.post',
        value: { $type: 'app.bsky.feed.post', text: `post ${batch}/${i} ${'w'.repeat(200)}`, createdAt: new Date().toISOString() },
      }))
      await user.agent.com.atproto.repo.applyWrites({ repo: user.did, writes })
    }
    return user
  }

  test('getRepo to a slow reader: the same bytes as a fast download, and they verify', async () => {
    const carol = await bigRepo('carol')
    const fast = new Uint8Array(await (await get('com.atproto.sync.getRepo', { did: carol.did })).arrayBuffer())
    // The export hands out reused chunk buffers: a reader that lets the server run ahead must still
    // get every chunk as it was when sent.
    expect(fast.length).toBeGreaterThan(4 * 64 * 1024)
    const res = await get('com.atproto.sync.getRepo', { did: carol.did })
    const parts: Uint8Array[] = []
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      parts.push(part.slice())
      await Bun.sleep(20)
    }
    const slow = new Uint8Array(Buffer.concat(parts))
    expect(Buffer.compare(slow, fast)).toBe(0)
    const verified = await verifyRepoCar(slow, carol.did, await signingKey(carol.did))
    expect(verified.creates.length).toBe(1200)
  })

  test('getBlob: bytes, security headers, ranges', async () => {
    const res = await get('com.atproto.sync.getBlob', { did: alice.did, cid: blobCid })
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(blobBytes)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('content-length')).toBe(String(blobBytes.length))
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${blobCid}"`)
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox")

    const part = await get('com.atproto.sync.getBlob', { did: alice.did, cid: blobCid }, { range: 'bytes=100-199' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${blobBytes.length}`)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(blobBytes.slice(100, 200))
    const suffix = await get('com.atproto.sync.getBlob', { did: alice.did, cid: blobCid }, { range: 'bytes=-10' })
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(blobBytes.slice(-10))
    const beyond = await get('com.atproto.sync.getBlob', { did: alice.did, cid: blobCid }, { range: 'bytes=99999-' })
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('content-range')).toBe(`bytes */${blobBytes.length}`)

    const other = await get('com.atproto.sync.getBlob', { did: bob.did, cid: blobCid })
    expect(other.status).toBe(400)
  })

  test('listBlobs, with since', async () => {
    const all = (await (await get('com.atproto.sync.listBlobs', { did: alice.did })).json()) as any
    expect(all.cids).toEqual([blobCid])
    const rev = h.server.services.repo.getRepoRoot(alice.did)!.rev
    const since = (await (await get('com.atproto.sync.listBlobs', { did: alice.did, since: rev })).json()) as any
    expect(since.cids).toEqual([])
  })

  test('listRepos pages through every repo; getRepoStatus', async () => {
    const first = (await (await get('com.atproto.sync.listRepos', { limit: '1' })).json()) as any
    expect(first.repos.length).toBe(1)
    const second = (await (await get('com.atproto.sync.listRepos', { limit: '1', cursor: first.cursor })).json()) as any
    const dids = [...first.repos, ...second.repos].map((r: any) => r.did)
    expect(dids.sort()).toEqual([alice.did, bob.did].sort())
    const aliceRepo = [...first.repos, ...second.repos].find((r: any) => r.did === alice.did)
    const root = h.server.services.repo.getRepoRoot(alice.did)!
    expect(aliceRepo).toEqual({ did: alice.did, head: root.cid.toString(), rev: root.rev, active: true })
    const status = (await (await get('com.atproto.sync.getRepoStatus', { did: alice.did })).json()) as any
    expect(status).toEqual({ did: alice.did, active: true, rev: root.rev })
  })

  test('deactivated and taken-down repos: RepoDeactivated / RepoTakendown, owner and admin still read', async () => {
    const accounts = h.server.services.accounts
    accounts.deactivateAccount(bob.did, null)
    const anon = await get('com.atproto.sync.getLatestCommit', { did: bob.did })
    expect(anon.status).toBe(400)
    expect(((await anon.json()) as any).error).toBe('RepoDeactivated')
    const owner = await get(
      'com.atproto.sync.getRepo',
      { did: bob.did },
      { authorization: `Bearer ${bob.agent.session!.accessJwt}` },
    )
    expect(owner.status).toBe(200)
    const admin = await get('com.atproto.sync.getLatestCommit', { did: bob.did }, { authorization: h.server.adminAuth })
    expect(admin.status).toBe(200)
    const status = (await (await get('com.atproto.sync.getRepoStatus', { did: bob.did })).json()) as any
    expect(status).toEqual({ did: bob.did, active: false, status: 'deactivated' })
    accounts.activateAccount(bob.did)

    accounts.setTakedown(bob.did, 'takedown-1')
    const taken = await get('com.atproto.sync.getRepo', { did: bob.did })
    expect(((await taken.json()) as any).error).toBe('RepoTakendown')
    const listed = (await (await get('com.atproto.sync.listRepos', {})).json()) as any
    expect(listed.repos.find((r: any) => r.did === bob.did)).toMatchObject({ active: false, status: 'takendown' })
    const wrongAdmin = await get(
      'com.atproto.sync.getRepo',
      { did: bob.did },
      { authorization: 'Basic ' + btoa('admin:nope') },
    )
    expect(wrongAdmin.status).toBe(401)
    accounts.setTakedown(bob.did, null)
  })
})
