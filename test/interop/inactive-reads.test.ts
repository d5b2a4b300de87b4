// Issue 24: what an inactive account's data looks like on every public read path. The same scenario runs
// on our server and on the reference PDS (@atproto/pds), and the two answer tables must be equal:
// for each account state (active, deactivated, taken down, deleted) × caller (anonymous, the owner's
// own earlier token) × read method, the HTTP status and the error name.
// "Suspended" is no separate state on a PDS (a suspension reaches it as a takedown), so it is the
// taken-down column.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startPeers, createAccount, xrpc, PNG_1x1, type Peer, type Peers } from './peers.ts'

type State = 'active' | 'deactivated' | 'takendown' | 'deleted'
const STATES: State[] = ['active', 'deactivated', 'takendown', 'deleted']

type Subject = { did: string; handle: string; rkey: string; blobCid: string; commitCid: string; accessJwt: string }
type Answer = string // "200" or "400 RepoDeactivated"

let env: Peers
const tables = new Map<string, Record<string, Answer>>()

async function prepare(peer: Peer, state: State): Promise<Subject> {
  const account = await createAccount(peer, state.slice(0, 5))
  const { agent, did } = account
  const blob = (await agent.com.atproto.repo.uploadBlob(PNG_1x1, { encoding: 'image/png' })).data.blob
  const post = await agent.com.atproto.repo.createRecord({
    repo: did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text: 'hello', createdAt: new Date().toISOString(), embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] } },
  })
  const rkey = post.data.uri.split('/').pop()!
  const commitCid = post.data.commit!.cid
  const subject = { did, handle: account.handle, rkey, blobCid: blob.ref.toString(), commitCid, accessJwt: agent.session!.accessJwt }
  const admin = { auth: peer.adminAuth }
  if (state === 'deactivated') await agent.com.atproto.server.deactivateAccount({})
  if (state === 'takendown') {
    const res = await xrpc(peer.url, 'com.atproto.admin.updateSubjectStatus', {
      ...admin,
      body: { subject: { $type: 'com.atproto.admin.defs#repoRef', did }, takedown: { applied: true, ref: 'interop-test' } },
    })
    expect(res.status).toBe(200)
  }
  if (state === 'deleted') expect((await xrpc(peer.url, 'com.atproto.admin.deleteAccount', { ...admin, body: { did } })).status).toBe(200)
  return subject
}

type Read = { nsid: string; params: (s: Subject) => Record<string, string | string[]> }
const READS: Read[] = [
  { nsid: 'com.atproto.repo.describeRepo', params: (s) => ({ repo: s.did }) },
  { nsid: 'com.atproto.repo.describeRepo', params: (s) => ({ repo: s.handle }) },
  { nsid: 'com.atproto.repo.getRecord', params: (s) => ({ repo: s.did, collection: 'app.bsky.feed.post', rkey: s.rkey }) },
  { nsid: 'com.atproto.repo.listRecords', params: (s) => ({ repo: s.did, collection: 'app.bsky.feed.post' }) },
  { nsid: 'com.atproto.sync.getRepo', params: (s) => ({ did: s.did }) },
  { nsid: 'com.atproto.sync.getLatestCommit', params: (s) => ({ did: s.did }) },
  { nsid: 'com.atproto.sync.getRecord', params: (s) => ({ did: s.did, collection: 'app.bsky.feed.post', rkey: s.rkey }) },
  { nsid: 'com.atproto.sync.getBlocks', params: (s) => ({ did: s.did, cids: [s.commitCid] }) },
  { nsid: 'com.atproto.sync.getBlob', params: (s) => ({ did: s.did, cid: s.blobCid }) },
  { nsid: 'com.atproto.sync.listBlobs', params: (s) => ({ did: s.did }) },
  { nsid: 'com.atproto.sync.getRepoStatus', params: (s) => ({ did: s.did }) },
]

async function answerTable(peer: Peer): Promise<Record<string, Answer>> {
  const table: Record<string, Answer> = {}
  for (const state of STATES) {
    const subject = await prepare(peer, state)
    for (const caller of ['anonymous', 'owner'] as const) {
      const auth = caller === 'owner' ? `Bearer ${subject.accessJwt}` : undefined
      for (const read of READS) {
        const res = await xrpc(peer.url, read.nsid, { params: read.params(subject), auth })
        const key = `${state} ${caller} ${read.nsid}(${Object.keys(read.params(subject)).join(',')}${read.params(subject).repo === subject.handle ? ' by handle' : ''})`
        table[key] = res.status === 200 ? '200' : `${res.status} ${res.error}`
      }
      // listRepos: whether the repo is listed, and as what
      const listed = await xrpc(peer.url, 'com.atproto.sync.listRepos', { params: { limit: '1000' }, auth })
      const entry = (listed.json?.repos as Array<{ did: string; active: boolean; status?: string }> | undefined)?.find((r) => r.did === subject.did)
      table[`${state} ${caller} com.atproto.sync.listRepos`] = entry ? `listed active=${entry.active} status=${entry.status ?? '-'}` : 'not listed'
    }
    const session = await xrpc(peer.url, 'com.atproto.server.getSession', { auth: `Bearer ${subject.accessJwt}` })
    table[`${state} owner com.atproto.server.getSession`] = session.status === 200 ? `200 active=${session.json.active} status=${session.json.status ?? '-'}` : `${session.status} ${session.error}`
  }
  return table
}

beforeAll(async () => {
  env = await startPeers()
  for (const peer of env.peers) tables.set(peer.name, await answerTable(peer))
}, 600_000) // the first run may compile the reference's SQLite addon (scripts/ensure-reference-pds.sh)
afterAll(() => env?.close())

describe('inactive accounts: every public read answers as the reference', () => {
  test('the whole matrix is the same on both servers', () => {
    expect(tables.get('ours')).toEqual(tables.get('reference')!)
  })

  test('the reference rules, spelled out', () => {
    const ours = tables.get('ours')!
    expect(ours['active anonymous com.atproto.repo.getRecord(repo,collection,rkey)']).toBe('200')
    expect(ours['deactivated anonymous com.atproto.repo.describeRepo(repo)']).toBe('400 RepoDeactivated')
    expect(ours['deactivated anonymous com.atproto.repo.listRecords(repo,collection)']).toBe('400 InvalidRequest')
    expect(ours['deactivated anonymous com.atproto.repo.getRecord(repo,collection,rkey)']).toBe('400 InvalidRequest')
    expect(ours['takendown anonymous com.atproto.repo.describeRepo(repo)']).toBe('400 RepoTakendown')
    expect(ours['deleted anonymous com.atproto.sync.getRepo(did)']).toBe('400 RepoNotFound')
    // the owner keeps the sync reads (e.g. to move the repo elsewhere while deactivated)
    expect(ours['deactivated owner com.atproto.sync.getRepo(did)']).toBe('200')
    expect(ours['takendown owner com.atproto.server.getSession']).toBe('400 InvalidRequest')
  })
})
