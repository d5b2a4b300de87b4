// End to end: @atproto/sync's verifying Firehose consumes our stream while an account is created,
// posts, edits, deletes, changes handle, deactivates and comes back, and is taken down and restored
// through the admin API. Every commit's signature and proofs verify, each commit inverts to its
// prevData, and the records rebuilt from the stream equal listRecords. getRepo (full and `since`)
// verifies with @atproto/repo.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Firehose, type Event } from '@atproto/sync'
import { DidResolver, type IdResolver } from '@atproto/identity'
import { MemoryBlockstore, Repo, readCarWithRoot, verifyDiffCar, verifyRepoCar } from '@atproto/repo'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { replayAll } from '../helpers/firehose.ts'
import { readCar } from '../../src/core/car.ts'
import { decodeCbor, type CID } from '../../src/core/cbor.ts'
import { Mst } from '../../src/core/mst/index.ts'

let h: AccountHarness
let firehose: Firehose
const events: Event[] = []
const errors: Error[] = []

beforeAll(async () => {
  h = await startAccountHarness()
  firehose = new Firehose({
    idResolver: idResolver(),
    service: `ws://127.0.0.1:${h.server.port}`,
    handleEvent: (evt) => void events.push(evt),
    onError: (err) => void errors.push(err),
  })
  void firehose.start()
  await Bun.sleep(100)
})
afterAll(async () => {
  await firehose?.destroy()
  await h?.close()
})

/**
 * @atproto/identity's IdResolver refuses to construct on Bun (its handle resolver's SSRF guard checks
 * for Node's undici), so: its DidResolver against the test PLC, and handles resolved by our server.
 */
function idResolver(): IdResolver {
  const handle = {
    resolve: async (handle: string) => {
      const url = new URL('/xrpc/com.atproto.identity.resolveHandle', h.server.url)
      url.searchParams.set('handle', handle)
      const res = await fetch(url)
      return res.ok ? ((await res.json()) as { did: string }).did : undefined
    },
  }
  return { did: new DidResolver({ plcUrl: h.plc.url, fetch: globalThis.fetch }), handle } as unknown as IdResolver
}

async function until(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for firehose events')
    await Bun.sleep(10)
  }
}


test('the verifying firehose sees the whole account lifecycle, consistent with the repo', async () => {
  const { agent, did } = await h.signUp('alice')
  const posts = []
  for (let i = 0; i < 3; i++) posts.push(await agent.post({ text: `post ${i}`, createdAt: new Date().toISOString() }))
  await agent.upsertProfile(() => ({ displayName: 'Alice' }))
  await agent.upsertProfile(() => ({ displayName: 'Alice B.' }))
  await agent.deletePost(posts[1]!.uri)
  const repoBefore = await fetchRepo(did)
  const revBefore = (await agent.com.atproto.sync.getLatestCommit({ did })).data.rev
  await agent.post({ text: 'after the snapshot', createdAt: new Date().toISOString() })
  // Through the account service (the same calls the identity/server handlers make).
  const accounts = h.server.services.accounts
  await accounts.updateHandle(did, 'alice2.test')
  // The consumer verifies the handle by resolving it, which a deactivated account no longer does.
  await until(() => events.some((e) => e.event === 'identity' && e.handle === 'alice2.test'))
  await accounts.deactivateAccount(did, null)
  await until(() => events.some((e) => e.event === 'account' && !e.active))

  const mine = events.filter((e) => e.did === did)
  expect(errors).toEqual([])
  // Creation: identity + account + the genesis commit / sync, then the writes.
  expect(mine.find((e) => e.event === 'identity')).toBeDefined()
  expect(mine.find((e) => e.event === 'account' && e.active)).toBeDefined()
  expect(mine.filter((e) => e.event === 'create').length).toBe(5)
  expect(mine.filter((e) => e.event === 'update').length).toBe(1)
  expect(mine.filter((e) => e.event === 'delete').length).toBe(1)
  expect(mine.some((e) => e.event === 'identity' && e.handle === 'alice2.test')).toBe(true)
  const deactivated = mine.find((e) => e.event === 'account' && !e.active)
  expect(deactivated).toMatchObject({ active: false, status: 'deactivated' })

  // Rebuild the records from the stream and compare them with listRecords (owner may still read).
  const rebuilt = new Map<string, unknown>()
  for (const e of mine) {
    if (e.event === 'create' || e.event === 'update') rebuilt.set(e.uri.toString(), e.record)
    if (e.event === 'delete') rebuilt.delete(e.uri.toString())
  }
  await accounts.activateAccount(did)
  await until(() => events.some((e) => e.did === did && e.event === 'account' && e.active && e.seq > deactivated!.seq))
  const listed = new Map<string, unknown>()
  for (const collection of ['app.bsky.feed.post', 'app.bsky.actor.profile']) {
    const res = await agent.com.atproto.repo.listRecords({ repo: did, collection })
    for (const r of res.data.records) listed.set(r.uri, r.value)
  }
  expect(JSON.parse(JSON.stringify([...rebuilt].sort()))).toEqual(JSON.parse(JSON.stringify([...listed].sort())))

  // Every #commit, read raw: since chains revs, blocks include the commit, ops invert to prevData.
  const frames = (await replayAll(h.server.port)).filter((f) => f.body.repo === did || f.body.did === did)
  const seqs = frames.map((f) => f.body.seq)
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  // The reference's order. createAccount: #identity, #account (active), genesis #commit (no ops), #sync.
  const types = frames.map((f) => f.header.t)
  expect(types.slice(0, 4)).toEqual(['#identity', '#account', '#commit', '#sync'])
  expect(frames[1]!.body).toMatchObject({ active: true })
  expect(frames[2]!.body).toMatchObject({ since: null, ops: [] })
  expect(frames[2]!.body.prevData).toBeUndefined()
  expect(frames[3]!.body.rev).toBe(frames[2]!.body.rev)
  // activateAccount: #account (active), #identity, #sync of the current commit.
  const deactivatedAt = frames.findIndex((f) => f.header.t === '#account' && f.body.active === false)
  expect(types.slice(deactivatedAt + 1, deactivatedAt + 4)).toEqual(['#account', '#identity', '#sync'])
  expect(frames[deactivatedAt + 1]!.body).toMatchObject({ active: true })
  expect(frames[deactivatedAt + 2]!.body.handle).toBe('alice2.test')
  expect(frames[deactivatedAt + 3]!.body.rev).toBe((await agent.com.atproto.sync.getLatestCommit({ did })).data.rev)
  let prevRev: string | null = null
  for (const { header, body } of frames) {
    if (header.t !== '#commit') continue
    if (prevRev) expect(body.since).toBe(prevRev)
    prevRev = body.rev
    const car = readCar(body.blocks)
    expect(car.roots[0]!.equals(body.commit)).toBe(true)
    const commit = decodeCbor<{ data: CID; rev: string }>(car.blocks.get(body.commit.toString())!.bytes)
    expect(commit.rev).toBe(body.rev)
    if (!body.prevData) continue
    const mst = Mst.load({ get: (cid) => car.blocks.get(cid.toString())?.bytes }, commit.data)
    for (const op of body.ops) {
      if (op.action === 'create') mst.delete(op.path)
      else mst.put(op.path, op.prev)
    }
    expect(mst.rootCid().toString()).toBe(body.prevData.toString())
  }

  // getRepo verifies with @atproto/repo, in full and as a diff since the snapshot.
  const key = await idResolver().did.resolveAtprotoKey(did)
  const full = await fetchRepo(did)
  const verified = await verifyRepoCar(full, did, key)
  expect(verified.creates.length).toBe(listed.size)
  const diff = await fetchRepo(did, revBefore)
  expect(diff.length).toBeLessThan(full.length)
  const { root, blocks } = await readCarWithRoot(repoBefore)
  const storage = new MemoryBlockstore(blocks)
  const oldRepo = await Repo.load(storage, root)
  const verifiedDiff = await verifyDiffCar(oldRepo, diff, did, key)
  expect(verifiedDiff.commit.rev).toBe(verified.commit.rev)
  // Only the post written after the snapshot is new.
  expect(verifiedDiff.writes.map((w) => [String(w.action), w.collection])).toEqual([['create', 'app.bsky.feed.post']])

  // Takedown through the admin API: #account takendown, and getRepo refuses with RepoTakendown.
  const takedown = (applied: boolean) =>
    fetch(new URL('/xrpc/com.atproto.admin.updateSubjectStatus', h.server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.adminHeaders },
      body: JSON.stringify({ subject: { $type: 'com.atproto.admin.defs#repoRef', did }, takedown: { applied, ref: 'mod-1' } }),
    })
  const seenBefore = events.length
  expect((await takedown(true)).status).toBe(200)
  await until(() => events.slice(seenBefore).some((e) => e.did === did && e.event === 'account'))
  expect(events.slice(seenBefore).find((e) => e.did === did && e.event === 'account')).toMatchObject({
    active: false,
    status: 'takendown',
  })
  const refused = await fetch(new URL(`/xrpc/com.atproto.sync.getRepo?did=${did}`, h.server.url))
  expect(refused.status).toBe(400)
  expect(await refused.json()).toMatchObject({ error: 'RepoTakendown' })
  const lifted = events.length
  expect((await takedown(false)).status).toBe(200)
  await until(() => events.slice(lifted).some((e) => e.did === did && e.event === 'account'))
  expect(events.slice(lifted).find((e) => e.did === did && e.event === 'account')).toMatchObject({ active: true })
  expect((await fetch(new URL(`/xrpc/com.atproto.sync.getRepo?did=${did}`, h.server.url))).status).toBe(200)
  expect(errors).toEqual([])
}, 30_000)

async function fetchRepo(did: string, since?: string): Promise<Uint8Array> {
  const url = new URL('/xrpc/com.atproto.sync.getRepo', h.server.url)
  url.searchParams.set('did', did)
  if (since) url.searchParams.set('since', since)
  const res = await fetch(url)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/vnd.ipld.car')
  return new Uint8Array(await res.arrayBuffer())
}
